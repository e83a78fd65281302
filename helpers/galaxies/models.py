"""The galaxy CNN as the thesis describes it (after Cheng et al. 2020), with the Keras 3 public API."""

from __future__ import annotations


def thesis_cnn(
    input_shape=(64, 64, 1),
    n_classes: int = 2,
    filters=(32, 64, 64),
    dense: int = 1024,
    optimizer: str = "adam",
    learning_rate: float = 1e-4,
    augment: bool = False,
):
    """conv 3x3 -> pool 2x2 -> conv 3x3 -> pool -> conv 2x2 -> pool -> dense 1024 -> dense 1024 -> softmax.

    The thesis gives the kernel sizes, the pooling and the two 1024-node dense layers, categorical
    cross-entropy and SGD with batch size 8; the filter counts (32, 64, 64) are our choice, which puts
    the model at 3.4 M parameters, almost all in the first dense layer. ``augment`` prepends random
    flips and rotations (active in training only), as Dieleman et al. 2015 did for Galaxy Zoo 2.
    """
    import keras

    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    if len(input_shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape}")
    layers = [keras.Input(shape=input_shape)]
    if augment:
        layers += [
            keras.layers.RandomFlip("horizontal_and_vertical"),
            keras.layers.RandomRotation(0.5, fill_mode="constant"),
        ]
    layers += [
        keras.layers.Conv2D(filters[0], 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(filters[1], 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(filters[2], 2, activation="relu", name="last_conv"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(dense, activation="relu"),
        keras.layers.Dense(dense, activation="relu"),
        keras.layers.Dense(n_classes, activation="softmax"),
    ]
    model = keras.Sequential(layers)
    if optimizer == "adam":
        opt = keras.optimizers.Adam(learning_rate)
    elif optimizer == "sgd":
        opt = keras.optimizers.SGD(learning_rate)
    else:
        raise ValueError(f"optimizer must be 'adam' or 'sgd' (the thesis), got {optimizer!r}")
    model.compile(optimizer=opt, loss="categorical_crossentropy", metrics=["accuracy"])
    return model
