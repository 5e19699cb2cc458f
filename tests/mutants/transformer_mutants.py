"""Known-wrong solutions of the Transformer exercises, written the way learners get them wrong.

``MUTANTS`` lists (exercise, mutant, words the public test's message must contain);
``ADVICE_MUTANTS`` (exercise, mutant, words of the grader's advice, or a tuple of words each
in its own piece of advice) the idioms that pass the course's scenarios (and so the course's
public test) and fail only beyond them; ``NO_PENALTY`` idioms that are right everywhere.
Layer mutants subclass the reference so that ``__init__`` (and so the weights) stays the
given one and only the learner's part, ``call``, is wrong.
"""
import numpy as np
import tensorflow as tf

from assignment import transformer as ref


# ------------------------------------------------------------------ get_angles

def angles_i_is_k(pos, k, d):
    i = k
    return pos / np.power(10000, (2 * i) / np.float32(d))


def angles_exponent_i_over_d(pos, k, d):
    i = k // 2
    return pos / np.power(10000, i / np.float32(d))


def angles_multiplied(pos, k, d):
    return pos * np.power(10000, (2 * (k // 2)) / np.float32(d))


def angles_integer_division(pos, k, d):
    return pos / np.power(10000, (2 * (k // 2)) // d)


def angles_tensorflow(pos, k, d):
    return tf.constant(pos / np.power(10000, (2 * (k // 2)) / np.float32(d)))


def angles_stub(pos, k, d):
    i = None
    angles = None
    return angles


# ------------------------------------------------------------------ positional_encoding

def _angles(positions, d):
    return ref.get_angles(np.arange(positions)[:, np.newaxis], np.arange(d)[np.newaxis, :], d)


def encoding_swapped(positions, d):
    angles = _angles(positions, d)
    angles[:, 0::2], angles[:, 1::2] = np.cos(angles[:, 0::2]), np.sin(angles[:, 1::2])
    return tf.cast(angles[np.newaxis, ...], dtype=tf.float32)


def encoding_numpy(positions, d):
    angles = _angles(positions, d)
    angles[:, 0::2], angles[:, 1::2] = np.sin(angles[:, 0::2]), np.cos(angles[:, 1::2])
    return angles[np.newaxis, ...].astype(np.float32)


def encoding_no_batch_axis(positions, d):
    angles = _angles(positions, d)
    angles[:, 0::2], angles[:, 1::2] = np.sin(angles[:, 0::2]), np.cos(angles[:, 1::2])
    return tf.cast(angles, dtype=tf.float32)


def encoding_sin_only(positions, d):
    return tf.cast(np.sin(_angles(positions, d))[np.newaxis, ...], dtype=tf.float32)


def encoding_stub(positions, d):
    angle_rads = ref.get_angles(None, None, d)  # placeholders left in: raises inside get_angles
    return tf.cast(angle_rads, dtype=tf.float32)


# ------------------------------------------------------------------ scaled_dot_product_attention

def _attention(q, k, v, mask, scale=True, mask_sign=1.0, axis=-1, use_mask=True, by_depth=False):
    logits = tf.matmul(q, k, transpose_b=True)
    dk = tf.cast(tf.shape(k)[-1], tf.float32)
    if scale:
        logits = logits / (dk if by_depth else tf.math.sqrt(dk))
    if mask is not None and use_mask:
        logits += ((1.0 - mask) if mask_sign > 0 else mask) * -1e9
    weights = tf.nn.softmax(logits, axis=axis)
    return tf.matmul(weights, v), weights


def attention_unscaled(q, k, v, mask):
    return _attention(q, k, v, mask, scale=False)


def attention_scaled_by_dk(q, k, v, mask):
    return _attention(q, k, v, mask, by_depth=True)


def attention_mask_inverted(q, k, v, mask):
    """The course's older convention: mask * -1e9, wrong with 1.0 = may attend."""
    return _attention(q, k, v, mask, mask_sign=-1.0)


def attention_softmax_axis(q, k, v, mask):
    return _attention(q, k, v, mask, axis=-2)


def attention_mask_ignored(q, k, v, mask):
    return _attention(q, k, v, mask, use_mask=False)


def attention_only_output(q, k, v, mask):
    return _attention(q, k, v, mask)[0]


def attention_stub(q, k, v, mask):
    matmul_qk = None
    output, attention_weights = None, None
    return output, attention_weights


def attention_k_dot_t(q, k, v, mask):
    """k.T, as many learners write the transpose: right on 2-D inputs only."""
    logits = tf.matmul(q, k.T) / tf.math.sqrt(tf.cast(tf.shape(k)[-1], tf.float32))
    if mask is not None:
        logits += (1. - mask) * -1e9
    weights = tf.nn.softmax(logits, axis=-1)
    return tf.matmul(weights, v), weights


def attention_dk_from_keys(q, k, v, mask):
    """d_k read from the first axis of k (the number of keys): right while k is square."""
    matmul_qk = tf.matmul(q, k, transpose_b=True)
    dk = k.shape[0]
    logits = matmul_qk / np.sqrt(dk)
    if mask is not None:
        logits += (1. - mask) * -1e9
    weights = tf.nn.softmax(logits, axis=-1)
    return tf.matmul(weights, v), weights


def attention_dk_len(q, k, v, mask):
    """d_k = len(k), the number of keys."""
    logits = tf.matmul(q, k, transpose_b=True) / tf.math.sqrt(float(len(k)))
    if mask is not None:
        logits += (1. - mask) * -1e9
    weights = tf.nn.softmax(logits, axis=-1)
    return tf.matmul(weights, v), weights


def attention_dk_tf_shape_0(q, k, v, mask):
    """d_k = tf.shape(k)[0], the number of keys."""
    logits = tf.matmul(q, k, transpose_b=True) / tf.math.sqrt(tf.cast(tf.shape(k)[0], tf.float32))
    if mask is not None:
        logits += (1. - mask) * -1e9
    weights = tf.nn.softmax(logits, axis=-1)
    return tf.matmul(weights, v), weights


def attention_k_dot_t_dk_from_keys(q, k, v, mask):
    """The real idiom of about one learner in five: k.T and dk = k.shape[0] together."""
    matmul_qk = tf.matmul(q, k.T)
    dk = float(k.shape[0])
    logits = matmul_qk / np.sqrt(dk)
    if mask is not None:
        logits += (1. - mask) * -1e9
    weights = tf.nn.softmax(logits, axis=-1)
    return tf.matmul(weights, v), weights


def attention_tf_transpose(q, k, v, mask):
    """tf.transpose without perm: reverses every axis."""
    logits = tf.matmul(q, tf.transpose(k)) / tf.math.sqrt(tf.cast(tf.shape(k)[-1], tf.float32))
    if mask is not None:
        logits += (1. - mask) * -1e9
    weights = tf.nn.softmax(logits, axis=-1)
    return tf.matmul(weights, v), weights


def attention_numpy_transpose(q, k, v, mask):
    """numpy throughout, with np.transpose: right on 2-D arrays only."""
    logits = np.matmul(q, np.transpose(k)) / np.sqrt(np.shape(k)[-1])
    if mask is not None:
        logits = logits + (1. - np.asarray(mask)) * -1e9
    weights = tf.nn.softmax(logits, axis=-1)
    return tf.matmul(weights, v), weights


def attention_numpy_swapaxes(q, k, v, mask):
    """numpy where it works on every input (the last two axes swapped): no penalty."""
    logits = np.matmul(q, np.swapaxes(k, -1, -2)) / np.sqrt(np.shape(k)[-1])
    if mask is not None:
        logits = logits + (1. - np.asarray(mask)) * -1e9
    weights = tf.nn.softmax(logits, axis=-1)
    return tf.matmul(weights, v), weights


def attention_numpy_transpose_b(q, k, v, mask):
    """np.matmul does not take TensorFlow's transpose_b: raises on every input."""
    logits = np.matmul(q, k, transpose_b=True) / np.sqrt(np.shape(k)[-1])
    weights = tf.nn.softmax(logits, axis=-1)
    return tf.matmul(weights, v), weights


def attention_softmax_axis1(q, k, v, mask):
    """axis=1: the keys' axis of 2-D scores, the queries' axis once a (1, n, m) mask broadcasts them to 3-D."""
    return _attention(q, k, v, mask, axis=1)


# ------------------------------------------------------------------ EncoderLayer

class EncoderLayerNoFirstResidual(ref.EncoderLayer):
    def call(self, x, training, mask):
        attention = self.mha(x, x, x, mask)
        out1 = self.layernorm1(attention)
        ffn = self.dropout_ffn(self.ffn(out1), training=training)
        return self.layernorm2(out1 + ffn)


class EncoderLayerNoSecondResidual(ref.EncoderLayer):
    def call(self, x, training, mask):
        out1 = self.layernorm1(x + self.mha(x, x, x, mask))
        return self.layernorm2(self.dropout_ffn(self.ffn(out1), training=training))


class EncoderLayerDropoutAlwaysOn(ref.EncoderLayer):
    def call(self, x, training, mask):
        out1 = self.layernorm1(x + self.mha(x, x, x, mask))
        ffn = self.dropout_ffn(self.ffn(out1), training=True)
        return self.layernorm2(out1 + ffn)


class EncoderLayerNoMask(ref.EncoderLayer):
    def call(self, x, training, mask):
        out1 = self.layernorm1(x + self.mha(x, x, x))
        ffn = self.dropout_ffn(self.ffn(out1), training=training)
        return self.layernorm2(out1 + ffn)


class EncoderLayerRenamedMask(ref.EncoderLayer):
    """Renames the mask argument: positional calls work, the keyword call does not."""
    def call(self, x, training, attention_mask):
        return ref.EncoderLayer.call(self, x, training, attention_mask)


class EncoderLayerStub(ref.EncoderLayer):
    def call(self, x, training, mask):
        self_mha_output = None
        skip_x_attention = self.layernorm1(x + self_mha_output)
        return skip_x_attention


class EncoderLayerMaskAsKey(ref.EncoderLayer):
    """self.mha(x, x, mask): the mask lands in the key slot."""
    def call(self, x, training, mask):
        out1 = self.layernorm1(x + self.mha(x, x, mask))
        ffn = self.dropout_ffn(self.ffn(out1), training=training)
        return self.layernorm2(out1 + ffn)


class EncoderLayerMaskKeyword(ref.EncoderLayer):
    """mask=mask: MultiHeadAttention has no such argument."""
    def call(self, x, training, mask):
        out1 = self.layernorm1(x + self.mha(x, x, x, mask=mask))
        ffn = self.dropout_ffn(self.ffn(out1), training=training)
        return self.layernorm2(out1 + ffn)


class EncoderLayerDropoutWithoutTraining(ref.EncoderLayer):
    """training not passed to the dropout: Keras hands the outer call's training on, so no penalty."""
    def call(self, x, training, mask):
        out1 = self.layernorm1(x + self.mha(x, x, x, mask))
        ffn = self.dropout_ffn(self.ffn(out1))
        return self.layernorm2(out1 + ffn)


# ------------------------------------------------------------------ Encoder

class _EncoderMistake(ref.Encoder):
    scale, add_pe, chain, training_flag = "sqrt", True, True, None

    def call(self, x, training, mask):
        seq_len = tf.shape(x)[1]
        embedded = self.embedding(x)
        if self.scale == "sqrt":
            embedded *= tf.math.sqrt(tf.cast(self.embedding_dim, tf.float32))
        elif self.scale == "d":
            embedded *= tf.cast(self.embedding_dim, tf.float32)
        if self.add_pe:
            embedded += self.pos_encoding[:, :seq_len, :]
        flag = training if self.training_flag is None else self.training_flag
        embedded = self.dropout(embedded, training=flag)
        out = embedded
        for layer in self.enc_layers:
            out = layer(out if self.chain else embedded, flag, mask)
        return out


class EncoderNoScaling(_EncoderMistake):
    scale = "none"


class EncoderScaledByDim(_EncoderMistake):
    scale = "d"


class EncoderNoPositionalEncoding(_EncoderMistake):
    add_pe = False


class EncoderLayersNotChained(_EncoderMistake):
    chain = False


class EncoderDropoutAlwaysOn(_EncoderMistake):
    training_flag = True


class EncoderLayersWithoutTraining(ref.Encoder):
    """training not passed on to the encoder layers: the mask lands in the training slot."""
    def call(self, x, training, mask):
        seq_len = tf.shape(x)[1]
        x = self.embedding(x) * tf.math.sqrt(tf.cast(self.embedding_dim, tf.float32))
        x += self.pos_encoding[:, :seq_len, :]
        x = self.dropout(x, training=training)
        for i in range(self.num_layers):
            x = self.enc_layers[i](x, mask)
        return x


# ------------------------------------------------------------------ DecoderLayer

class _DecoderLayerMistake(ref.DecoderLayer):
    query2, masks, residual = "Q1", "right", (True, True, True)

    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        mask1, mask2 = {"right": (look_ahead_mask, padding_mask), "swapped": (padding_mask, look_ahead_mask),
                        "no_look_ahead": (None, padding_mask)}[self.masks]
        attention1, weights1 = self.mha1(x, x, x, mask1, return_attention_scores=True)
        q1 = self.layernorm1(attention1 + x if self.residual[0] else attention1)
        query = q1 if self.query2 == "Q1" else x
        attention2, weights2 = self.mha2(query, enc_output, enc_output, mask2, return_attention_scores=True)
        out2 = self.layernorm2(attention2 + q1 if self.residual[1] else attention2)
        ffn = self.dropout_ffn(self.ffn(out2), training=training)
        return self.layernorm3(ffn + out2 if self.residual[2] else ffn), weights1, weights2


class DecoderLayerQueryX(_DecoderLayerMistake):
    query2 = "x"


class DecoderLayerMasksSwapped(_DecoderLayerMistake):
    masks = "swapped"


class DecoderLayerNoLookAhead(_DecoderLayerMistake):
    masks = "no_look_ahead"


class DecoderLayerNoFirstResidual(_DecoderLayerMistake):
    residual = (False, True, True)


class DecoderLayerNoThirdResidual(_DecoderLayerMistake):
    residual = (True, True, False)


class DecoderLayerTwoOutputs(ref.DecoderLayer):
    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        out3, block1, _ = ref.DecoderLayer.call(self, x, enc_output, training, look_ahead_mask, padding_mask)
        return out3, block1


class DecoderLayerPaddingAsKey(ref.DecoderLayer):
    """self.mha2(Q1, enc_output, padding_mask): the mask lands in the key slot."""
    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        attention1, weights1 = self.mha1(x, x, x, look_ahead_mask, return_attention_scores=True)
        q1 = self.layernorm1(attention1 + x)
        attention2, weights2 = self.mha2(q1, enc_output, padding_mask, return_attention_scores=True)
        out2 = self.layernorm2(attention2 + q1)
        ffn = self.dropout_ffn(self.ffn(out2), training=training)
        return self.layernorm3(ffn + out2), weights1, weights2


# ------------------------------------------------------------------ Decoder

class _DecoderMistake(ref.Decoder):
    scale, chain, key_offset, swap_masks = "sqrt", True, 1, False

    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        seq_len = tf.shape(x)[1]
        out = self.embedding(x)
        if self.scale == "sqrt":
            out *= tf.math.sqrt(tf.cast(self.embedding_dim, tf.float32))
        out += self.pos_encoding[:, :seq_len, :]
        embedded = out = self.dropout(out, training=training)
        masks = (padding_mask, look_ahead_mask) if self.swap_masks else (look_ahead_mask, padding_mask)
        weights = {}
        for i, layer in enumerate(self.dec_layers):
            out, block1, block2 = layer(out if self.chain else embedded, enc_output, training, *masks)
            weights[f"decoder_layer{i + self.key_offset}_block1_self_att"] = block1
            weights[f"decoder_layer{i + self.key_offset}_block2_decenc_att"] = block2
        return out, weights


class DecoderNoScaling(_DecoderMistake):
    scale = "none"


class DecoderKeysFromZero(_DecoderMistake):
    key_offset = 0


class _DecoderStores(ref.Decoder):
    """The reference decoder, with the attention maps stored by ``store(weights, i, block1, block2)``."""

    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        seq_len = tf.shape(x)[1]
        x = self.embedding(x) * tf.math.sqrt(tf.cast(self.embedding_dim, tf.float32))
        x += self.pos_encoding[:, :seq_len, :]
        x = self.dropout(x, training=training)
        weights = {}
        for i in range(self.num_layers):
            x, block1, block2 = self.dec_layers[i](x, enc_output, training, look_ahead_mask, padding_mask)
            self.store(weights, i, block1, block2)
        return x, weights


class DecoderBlock1UnderBothKeys(_DecoderStores):
    """Block 1 stored under the block-2 key too: the course's test (first map, shapes) passes."""

    def store(self, weights, i, block1, block2):
        weights[f"decoder_layer{i + 1}_block1_self_att"] = block1
        weights[f"decoder_layer{i + 1}_block2_decenc_att"] = block1


class DecoderBlock2UnderBlock1Key(_DecoderStores):
    """The other way round: block 2 under the block-1 key."""

    def store(self, weights, i, block1, block2):
        weights[f"decoder_layer{i + 1}_block1_self_att"] = block2
        weights[f"decoder_layer{i + 1}_block2_decenc_att"] = block2


class DecoderLastLayerUnderEveryKey(ref.Decoder):
    """The dict filled after the loop: every layer's key holds the last layer's maps."""

    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        seq_len = tf.shape(x)[1]
        x = self.embedding(x) * tf.math.sqrt(tf.cast(self.embedding_dim, tf.float32))
        x += self.pos_encoding[:, :seq_len, :]
        x = self.dropout(x, training=training)
        for i in range(self.num_layers):
            x, block1, block2 = self.dec_layers[i](x, enc_output, training, look_ahead_mask, padding_mask)
        weights = {}
        for i in range(self.num_layers):
            weights[f"decoder_layer{i + 1}_block1_self_att"] = block1
            weights[f"decoder_layer{i + 1}_block2_decenc_att"] = block2
        return x, weights


class DecoderLayersNotChained(_DecoderMistake):
    chain = False


class DecoderMasksSwapped(_DecoderMistake):
    swap_masks = True


class DecoderLayersWithoutTraining(ref.Decoder):
    """training not passed on to the decoder layers: every argument after enc_output shifts one slot."""
    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        seq_len = tf.shape(x)[1]
        x = self.embedding(x) * tf.math.sqrt(tf.cast(self.embedding_dim, tf.float32))
        x += self.pos_encoding[:, :seq_len, :]
        x = self.dropout(x, training=training)
        weights = {}
        for i in range(self.num_layers):
            x, block1, block2 = self.dec_layers[i](x, enc_output, look_ahead_mask, padding_mask)
            weights[f"decoder_layer{i + 1}_block1_self_att"] = block1
            weights[f"decoder_layer{i + 1}_block2_decenc_att"] = block2
        return x, weights


# ------------------------------------------------------------------ Transformer

class _TransformerMistake(ref.Transformer):
    wiring = "right"

    def call(self, input_sentence, output_sentence, training, enc_padding_mask, look_ahead_mask, dec_padding_mask):
        if self.wiring == "decoder_gets_enc_mask_for_look_ahead":
            masks = (enc_padding_mask, dec_padding_mask)
        elif self.wiring == "decoder_masks_swapped":
            masks = (dec_padding_mask, look_ahead_mask)
        else:
            masks = (look_ahead_mask, dec_padding_mask)
        encoder_mask = None if self.wiring == "encoder_no_mask" else enc_padding_mask
        enc_output = self.encoder(input_sentence, training, encoder_mask)
        dec_output, weights = self.decoder(output_sentence, enc_output, training, *masks)
        if self.wiring == "no_final_layer":
            return dec_output, weights
        return self.final_layer(dec_output), weights


class TransformerDecoderMasksSwapped(_TransformerMistake):
    wiring = "decoder_masks_swapped"


class TransformerDecoderGetsPaddingMask(_TransformerMistake):
    """The wrong mask to the decoder: the encoder's padding mask instead of the look-ahead mask."""
    wiring = "decoder_gets_enc_mask_for_look_ahead"


class TransformerEncoderNoMask(_TransformerMistake):
    wiring = "encoder_no_mask"


class TransformerNoFinalLayer(_TransformerMistake):
    wiring = "no_final_layer"


class TransformerStub(ref.Transformer):
    def call(self, input_sentence, output_sentence, training, enc_padding_mask, look_ahead_mask, dec_padding_mask):
        enc_output = None
        final_output, attention_weights = None, None
        return final_output, attention_weights


# ------------------------------------------------------------------ the table the tests use

FILL_IN = "START CODE HERE"

MUTANTS = [
    ("get_angles", angles_i_is_k, "k // 2"),
    ("get_angles", angles_exponent_i_over_d, "not i/d"),
    ("get_angles", angles_multiplied, "do not multiply"),
    ("get_angles", angles_integer_division, "true division"),
    ("get_angles", angles_tensorflow, "numpy array"),
    ("get_angles", angles_stub, FILL_IN),
    ("positional_encoding", encoding_swapped, "sin and cos are swapped"),
    ("positional_encoding", encoding_numpy, "must be a TensorFlow tensor"),
    ("positional_encoding", encoding_no_batch_axis, "add the batch axis"),
    ("positional_encoding", encoding_sin_only, "sin is used everywhere"),
    ("positional_encoding", encoding_stub, FILL_IN),
    ("scaled_dot_product_attention", attention_unscaled, "not divided by sqrt(d_k)"),
    ("scaled_dot_product_attention", attention_scaled_by_dk, "not by d_k"),
    ("scaled_dot_product_attention", attention_mask_inverted, "older convention (1 = padding)"),
    ("scaled_dot_product_attention", attention_softmax_axis, "wrong axis"),
    ("scaled_dot_product_attention", attention_mask_ignored, "mask is ignored"),
    ("scaled_dot_product_attention", attention_only_output, "tuple of 2"),
    ("scaled_dot_product_attention", attention_stub, FILL_IN),
    ("scaled_dot_product_attention", attention_numpy_transpose_b, "Use tf.matmul(q, k, transpose_b=True)"),
    ("scaled_dot_product_attention", attention_softmax_axis1, "wrong axis"),
    ("EncoderLayer", EncoderLayerNoFirstResidual, "first residual connection is missing"),
    ("EncoderLayer", EncoderLayerNoSecondResidual, "second residual connection is missing"),
    ("EncoderLayer", EncoderLayerDropoutAlwaysOn, "dropout is active"),
    ("EncoderLayer", EncoderLayerNoMask, "mask is not used"),
    ("EncoderLayer", EncoderLayerStub, FILL_IN),
    ("EncoderLayer", EncoderLayerMaskAsKey, "the mask lands in the `key` slot"),
    ("EncoderLayer", EncoderLayerMaskKeyword, "has no `mask` argument"),
    ("Encoder", EncoderNoScaling, "not multiplied by sqrt(embedding_dim)"),
    ("Encoder", EncoderScaledByDim, "not embedding_dim itself"),
    ("Encoder", EncoderNoPositionalEncoding, "positional encoding is not added"),
    ("Encoder", EncoderLayersNotChained, "previous layer's output"),
    ("Encoder", EncoderDropoutAlwaysOn, "dropout is active"),
    ("Encoder", EncoderLayersWithoutTraining, "called without `training`"),
    ("DecoderLayer", DecoderLayerQueryX, "use Q1"),
    ("DecoderLayer", DecoderLayerMasksSwapped, "attends to future positions"),
    ("DecoderLayer", DecoderLayerNoLookAhead, "attends to future positions"),
    ("DecoderLayer", DecoderLayerNoFirstResidual, "first residual connection is missing"),
    ("DecoderLayer", DecoderLayerNoThirdResidual, "third residual connection is missing"),
    ("DecoderLayer", DecoderLayerTwoOutputs, "tuple of 3"),
    ("DecoderLayer", DecoderLayerPaddingAsKey, "its arguments are (query, value, key, attention_mask)"),
    ("Decoder", DecoderNoScaling, "not multiplied by sqrt(embedding_dim)"),
    ("Decoder", DecoderLayersNotChained, "previous layer's output"),
    ("Decoder", DecoderBlock2UnderBlock1Key, "Block 2's weights are stored under the block-1 key"),
    ("Decoder", DecoderLastLayerUnderEveryKey, "Every layer's key holds the weights of layer 7"),
    ("Decoder", DecoderMasksSwapped, "masks are swapped"),
    ("Decoder", DecoderLayersWithoutTraining, "called without `training`"),
    ("Transformer", TransformerDecoderMasksSwapped, "decoder gets its two masks swapped"),
    ("Transformer", TransformerDecoderGetsPaddingMask, "look_ahead_mask for its self-attention"),
    ("Transformer", TransformerEncoderNoMask, "encoder does not get its mask"),
    ("Transformer", TransformerNoFinalLayer, "apply self.final_layer"),
    ("Transformer", TransformerStub, FILL_IN),
]

ADVICE_MUTANTS = [
    ("scaled_dot_product_attention", attention_dk_from_keys, "square root of the number of keys"),
    ("scaled_dot_product_attention", attention_dk_len, "d_k is the depth of the keys, the last axis, k.shape[-1]"),
    ("scaled_dot_product_attention", attention_dk_tf_shape_0, "square root of the number of keys"),
    # both lessons, each in its own piece of advice (strict fails on the first)
    ("scaled_dot_product_attention", attention_k_dot_t_dk_from_keys, ("square root of the number of keys",
                                                                      "transpose_b=True")),
    ("Decoder", DecoderKeysFromZero, "counts layers from 0 (decoder_layer0_block1_self_att"),
    ("Decoder", DecoderBlock1UnderBothKeys, "Block 1's weights are stored under the block-2 key"),
    ("EncoderLayer", EncoderLayerRenamedMask, "called with keywords"),
    ("scaled_dot_product_attention", attention_k_dot_t, "transpose_b=True"),
    ("scaled_dot_product_attention", attention_tf_transpose, "without `perm` reverse EVERY axis"),
    ("scaled_dot_product_attention", attention_numpy_transpose, "np.transpose without `perm`"),
]

NO_PENALTY = [
    ("scaled_dot_product_attention", attention_numpy_swapaxes),
    ("EncoderLayer", EncoderLayerDropoutWithoutTraining),
]
