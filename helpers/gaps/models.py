"""The chapter's classifiers, built with the Keras 3 public API (shown in the notebooks)."""

from __future__ import annotations


def cnn3d(input_shape=(10, 12, 12, 1), filters=(8, 16), dense=32, learning_rate=1e-3):
    """3-D CNN on (layer, x, y, channel): two 3×3×3 convolutions with a (1, 2, 2) max-pool
    between them, a small dense layer and one output logit (antideuteron vs antiproton)."""
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            keras.layers.Conv3D(filters[0], 3, padding="same", activation="relu"),
            keras.layers.MaxPooling3D((1, 2, 2)),
            keras.layers.Conv3D(filters[1], 3, padding="same", activation="relu", name="last_conv"),
            keras.layers.Flatten(),
            keras.layers.Dense(dense, activation="relu"),
            keras.layers.Dense(1, name="logit"),
        ]
    )
    _compile(model, learning_rate)
    return model


def cnn2d(input_shape=(12, 12, 10), filters=(32, 32), dense=32, learning_rate=1e-3):
    """2-D CNN that treats the 10 layers as the channels of a 12×12 image."""
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            keras.layers.Conv2D(filters[0], 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(filters[1], 3, padding="same", activation="relu", name="last_conv"),
            keras.layers.Flatten(),
            keras.layers.Dense(dense, activation="relu"),
            keras.layers.Dense(1, name="logit"),
        ]
    )
    _compile(model, learning_rate)
    return model


def _compile(model, learning_rate):
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy(name="accuracy", threshold=0.0)],
    )
