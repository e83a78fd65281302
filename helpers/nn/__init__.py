"""Neural-network pieces the chapters share: chapter 1's small data sets and plots (``data``,
``plots``), the gradient checker (``gradcheck``), Grad-CAM (``gradcam``) and the one repeated-training
loop (``training``)."""
