"""Reference solutions of the Transformer Network assignment as its 2021 release had it.

INSTRUCTOR ONLY: solutions (never shipped to learners, blocked in the grading sandbox).

The grader grades a notebook of the 2021 release (``assignment.grade.course_edition``)
against this module: the release's given code (signatures, the layers' ``__init__``, the
mask helpers) with solutions, so its learners get the verdicts that release's tests gave
them. Where it differs from today's ``assignment.transformer`` (facts and sources in
docs/release_2021.md):

* ``get_angles(pos, i, d)``: the second argument is called ``i``;
* masks mark the *blocked* positions with 1: ``create_padding_mask`` returns
  (n, 1, 1, m) with 1.0 on padding, ``create_look_ahead_mask`` returns (size, size) with
  1.0 above the diagonal, and attention adds ``mask * -1e9``;
* ``EncoderLayer`` has two dropouts, ``dropout1`` on the attention output and
  ``dropout2`` on the feed-forward output, and its MultiHeadAttention has no dropout of
  its own (today: one ``dropout_ffn``, dropout inside ``mha``);
* ``DecoderLayer`` has three, ``dropout1``/``dropout2``/``dropout3`` after its blocks
  (today: ``dropout_ffn`` only, dropout inside ``mha1``/``mha2``);
* ``Transformer.call(self, inp, tar, training, ...)``.

Same markers as ``assignment.transformer`` (``### BEGIN SOLUTION`` ... ``### END STUB``).

``positional_encoding``, ``FullyConnected``, ``Encoder`` and ``Decoder`` read as today's, but
stay defined here rather than imported from ``assignment.transformer``: ``Encoder`` and
``Decoder`` build the ``EncoderLayer``/``DecoderLayer`` of the module that defines them (an
imported one would build today's layers, with one dropout), and the grader reads a reference
module as text, one file (the sealed stand-in definitions, the given code, the stubs:
``assignment.grade``), so each definition of the 2021 release must be in this file.
"""

import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense, Dropout, Embedding, LayerNormalization, MultiHeadAttention

MASK_CONVENTION = "2021"  # a name of assignment.checks.inputs.CONVENTIONS: 1 = blocked position


# UNQ_C1 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION get_angles
def get_angles(pos, i, d):
    """Angles pos / 10000^(2 (i // 2) / d) of the positional encoding.

    Arguments:
        pos -- column vector (positions, 1) of positions
        i -- row vector (1, d) of dimension indices 0..d-1
        d (int) -- encoding size

    Returns:
        angles -- (positions, d) numpy array
    """
    # START CODE HERE
    ### BEGIN SOLUTION
    pair = i // 2  # dimensions 2j and 2j+1 share a frequency
    angles = pos / np.power(10000, (2 * pair) / np.float32(d))  # (positions, d)
    ### END SOLUTION
    ### BEGIN STUB
    # # The angle of each (position, dimension) cell, by broadcasting pos against i
    # angles = None
    ### END STUB
    # END CODE HERE

    return angles


# UNQ_C2 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION positional_encoding
def positional_encoding(positions, d):
    """Sinusoidal positional encodings: sin in the even columns, cos in the odd ones.

    Arguments:
        positions (int) -- maximum number of positions to encode
        d (int) -- encoding size

    Returns:
        pos_encoding -- (1, positions, d) tf.float32 tensor
    """
    # START CODE HERE
    ### BEGIN SOLUTION
    angle_rads = get_angles(np.arange(positions)[:, np.newaxis],  # (positions, 1)
                            np.arange(d)[np.newaxis, :],          # (1, d)
                            d)                                    # (positions, d)
    angle_rads[:, 0::2] = np.sin(angle_rads[:, 0::2])  # even columns: 2i
    angle_rads[:, 1::2] = np.cos(angle_rads[:, 1::2])  # odd columns: 2i+1
    pos_encoding = angle_rads[np.newaxis, ...]  # (1, positions, d)
    ### END SOLUTION
    ### BEGIN STUB
    # # The angles for every position and dimension: pos is a column, k is a row
    # angle_rads = get_angles(None,
    #                         None,
    #                         d)
    # # sin on the even columns (2i)
    # angle_rads[:, 0::2] = None
    # # cos on the odd columns (2i+1)
    # angle_rads[:, 1::2] = None
    # # Add a leading batch axis
    # pos_encoding = None
    ### END STUB
    # END CODE HERE

    return tf.cast(pos_encoding, dtype=tf.float32)


def create_padding_mask(seq):
    """Mask of the padding: (n, m) ids -> (n, 1, 1, m) floats, 1.0 where the id is 0."""
    seq = tf.cast(tf.math.equal(seq, 0), tf.float32)  # (n, m)
    return seq[:, tf.newaxis, tf.newaxis, :]  # (n, 1, 1, m): broadcasts over heads and queries


def create_look_ahead_mask(size):
    """Mask of the future (size, size): 1.0 above the diagonal, where a query may not look."""
    mask = 1 - tf.linalg.band_part(tf.ones((size, size)), -1, 0)
    return mask


# UNQ_C3 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask):
    """softmax(q k^T / sqrt(d_k) + mask term) v, over any leading batch dimensions.

    Arguments:
        q -- query, shape (..., seq_len_q, depth)
        k -- key, shape (..., seq_len_k, depth)
        v -- value, shape (..., seq_len_v, depth_v) with seq_len_v == seq_len_k
        mask -- float tensor broadcastable to (..., seq_len_q, seq_len_k): 1.0 on the
                blocked (padded or future) positions. Defaults to None.

    Returns:
        output -- (..., seq_len_q, depth_v)
        attention_weights -- (..., seq_len_q, seq_len_k)
    """
    # START CODE HERE
    ### BEGIN SOLUTION
    matmul_qk = tf.matmul(q, k, transpose_b=True)  # (..., seq_len_q, seq_len_k)
    dk = tf.cast(tf.shape(k)[-1], tf.float32)
    scaled_attention_logits = matmul_qk / tf.math.sqrt(dk)

    if mask is not None:  # blocked positions get a huge negative logit
        scaled_attention_logits += mask * -1e9

    attention_weights = tf.keras.activations.softmax(scaled_attention_logits, axis=-1)
    output = tf.matmul(attention_weights, v)  # (..., seq_len_q, depth_v)
    ### END SOLUTION
    ### BEGIN STUB
    # # q times k transposed
    # matmul_qk = None
    #
    # # Scale by the square root of d_k, the size of the keys' last dimension
    # dk = None
    # scaled_attention_logits = None
    #
    # # Push the blocked positions towards minus infinity
    # if mask is not None: # Don't replace this None
    #     scaled_attention_logits += None
    #
    # # Normalize over the keys (the last axis)
    # attention_weights = None  # (..., seq_len_q, seq_len_k)
    #
    # output = None  # (..., seq_len_q, depth_v)
    ### END STUB
    # END CODE HERE

    return output, attention_weights


def FullyConnected(embedding_dim, fully_connected_dim):
    """Position-wise feed-forward network: Dense(relu) to fully_connected_dim, back to embedding_dim."""
    return tf.keras.Sequential([
        Dense(fully_connected_dim, activation="relu"),  # (batch, seq_len, fully_connected_dim)
        Dense(embedding_dim),  # (batch, seq_len, embedding_dim)
    ])


# UNQ_C4 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION EncoderLayer
class EncoderLayer(tf.keras.layers.Layer):
    """One encoder block: multi-head self-attention, then a feed-forward network,
    each followed by a residual connection and layer normalization."""

    def __init__(self, embedding_dim, num_heads, fully_connected_dim,
                 dropout_rate=0.1, layernorm_eps=1e-6):
        super(EncoderLayer, self).__init__()

        self.mha = MultiHeadAttention(num_heads=num_heads,
                                      key_dim=embedding_dim)

        self.ffn = FullyConnected(embedding_dim=embedding_dim,
                                  fully_connected_dim=fully_connected_dim)

        self.layernorm1 = LayerNormalization(epsilon=layernorm_eps)
        self.layernorm2 = LayerNormalization(epsilon=layernorm_eps)

        self.dropout1 = Dropout(dropout_rate)
        self.dropout2 = Dropout(dropout_rate)

    def call(self, x, training, mask):
        """Forward pass of the encoder layer.

        Arguments:
            x -- (batch_size, input_seq_len, embedding_dim)
            training (bool) -- whether dropout is active
            mask -- attention mask broadcastable to (batch_size, input_seq_len, input_seq_len)

        Returns:
            encoder_layer_out -- (batch_size, input_seq_len, embedding_dim)
        """
        # START CODE HERE
        ### BEGIN SOLUTION
        # Self-attention: x is query, value and key at once
        self_mha_output = self.mha(x, x, x, mask)  # (batch_size, input_seq_len, embedding_dim)
        self_mha_output = self.dropout1(self_mha_output, training=training)

        # Residual connection, then layer normalization
        skip_x_attention = self.layernorm1(x + self_mha_output)  # (batch_size, input_seq_len, embedding_dim)

        ffn_output = self.ffn(skip_x_attention)  # (batch_size, input_seq_len, embedding_dim)
        ffn_output = self.dropout2(ffn_output, training=training)

        encoder_layer_out = self.layernorm2(skip_x_attention + ffn_output)  # (batch_size, input_seq_len, embedding_dim)
        ### END SOLUTION
        ### BEGIN STUB
        # # Multi-head self-attention of x, using the mask
        # self_mha_output = None  # (batch_size, input_seq_len, embedding_dim)
        #
        # # Dropout on the attention output (self.dropout1), active only while training
        # self_mha_output = None
        #
        # # Residual connection from x, then layer normalization
        # skip_x_attention = None  # (batch_size, input_seq_len, embedding_dim)
        #
        # # The feed-forward network on that
        # ffn_output = None  # (batch_size, input_seq_len, embedding_dim)
        #
        # # Dropout on the ffn output (self.dropout2), active only while training
        # ffn_output = None
        #
        # # Second residual connection, then layer normalization
        # encoder_layer_out = None  # (batch_size, input_seq_len, embedding_dim)
        ### END STUB
        # END CODE HERE

        return encoder_layer_out


# UNQ_C5 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION Encoder
class Encoder(tf.keras.layers.Layer):
    """Token embedding scaled by sqrt(embedding_dim), plus positional encoding,
    dropout, then a stack of encoder layers."""

    def __init__(self, num_layers, embedding_dim, num_heads, fully_connected_dim, input_vocab_size,
                 maximum_position_encoding, dropout_rate=0.1, layernorm_eps=1e-6):
        super(Encoder, self).__init__()

        self.embedding_dim = embedding_dim
        self.num_layers = num_layers

        self.embedding = Embedding(input_vocab_size, self.embedding_dim)
        self.pos_encoding = positional_encoding(maximum_position_encoding,
                                                self.embedding_dim)

        self.enc_layers = [EncoderLayer(embedding_dim=self.embedding_dim,
                                        num_heads=num_heads,
                                        fully_connected_dim=fully_connected_dim,
                                        dropout_rate=dropout_rate,
                                        layernorm_eps=layernorm_eps)
                           for _ in range(self.num_layers)]

        self.dropout = Dropout(dropout_rate)

    def call(self, x, training, mask):
        """Forward pass of the encoder.

        Arguments:
            x -- (batch_size, input_seq_len) token ids
            training (bool) -- whether dropout is active
            mask -- attention mask for the encoder layers

        Returns:
            x -- (batch_size, input_seq_len, embedding_dim)
        """
        seq_len = tf.shape(x)[1]

        # START CODE HERE
        ### BEGIN SOLUTION
        x = self.embedding(x)  # (batch_size, input_seq_len, embedding_dim)
        x *= tf.math.sqrt(tf.cast(self.embedding_dim, tf.float32))
        x += self.pos_encoding[:, :seq_len, :]
        x = self.dropout(x, training=training)

        for i in range(self.num_layers):
            x = self.enc_layers[i](x, training, mask)
        ### END SOLUTION
        ### BEGIN STUB
        # # Embed the token ids
        # x = None  # (batch_size, input_seq_len, embedding_dim)
        # # Scale the embeddings by the square root of embedding_dim (as float32)
        # x *= None
        # # Add the positional encoding of the first seq_len positions
        # x += None
        # # Dropout, active only while training
        # x = None
        # # Run the encoder layers in order
        # for i in range(self.num_layers):
        #     x = None
        ### END STUB
        # END CODE HERE

        return x  # (batch_size, input_seq_len, embedding_dim)


# UNQ_C6 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION DecoderLayer
class DecoderLayer(tf.keras.layers.Layer):
    """One decoder block: masked self-attention, attention over the encoder output,
    then a feed-forward network; each with a residual connection and layer norm."""

    def __init__(self, embedding_dim, num_heads, fully_connected_dim, dropout_rate=0.1, layernorm_eps=1e-6):
        super(DecoderLayer, self).__init__()

        self.mha1 = MultiHeadAttention(num_heads=num_heads,
                                       key_dim=embedding_dim)

        self.mha2 = MultiHeadAttention(num_heads=num_heads,
                                       key_dim=embedding_dim)

        self.ffn = FullyConnected(embedding_dim=embedding_dim,
                                  fully_connected_dim=fully_connected_dim)

        self.layernorm1 = LayerNormalization(epsilon=layernorm_eps)
        self.layernorm2 = LayerNormalization(epsilon=layernorm_eps)
        self.layernorm3 = LayerNormalization(epsilon=layernorm_eps)

        self.dropout1 = Dropout(dropout_rate)
        self.dropout2 = Dropout(dropout_rate)
        self.dropout3 = Dropout(dropout_rate)

    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        """Forward pass of the decoder layer.

        Arguments:
            x -- (batch_size, target_seq_len, embedding_dim)
            enc_output -- (batch_size, input_seq_len, embedding_dim)
            training (bool) -- whether dropout is active
            look_ahead_mask -- causal mask for the self-attention
            padding_mask -- mask of the encoder's real tokens for the second attention

        Returns:
            out3 -- (batch_size, target_seq_len, embedding_dim)
            attn_weights_block1 -- (batch_size, num_heads, target_seq_len, target_seq_len)
            attn_weights_block2 -- (batch_size, num_heads, target_seq_len, input_seq_len)
        """
        # START CODE HERE
        ### BEGIN SOLUTION
        # Block 1: masked self-attention, residual, layer norm
        mult_attn_out1, attn_weights_block1 = self.mha1(
            x, x, x, look_ahead_mask, return_attention_scores=True)  # (batch_size, target_seq_len, embedding_dim)
        mult_attn_out1 = self.dropout1(mult_attn_out1, training=training)
        Q1 = self.layernorm1(mult_attn_out1 + x)

        # Block 2: queries from Q1, keys and values from the encoder output
        mult_attn_out2, attn_weights_block2 = self.mha2(
            Q1, enc_output, enc_output, padding_mask, return_attention_scores=True)  # (batch_size, target_seq_len, embedding_dim)
        mult_attn_out2 = self.dropout2(mult_attn_out2, training=training)
        mult_attn_out2 = self.layernorm2(mult_attn_out2 + Q1)

        # Block 3: feed-forward, dropout, residual, layer norm
        ffn_output = self.ffn(mult_attn_out2)  # (batch_size, target_seq_len, embedding_dim)
        ffn_output = self.dropout3(ffn_output, training=training)
        out3 = self.layernorm3(ffn_output + mult_attn_out2)  # (batch_size, target_seq_len, embedding_dim)
        ### END SOLUTION
        ### BEGIN STUB
        # # BLOCK 1
        # # Masked self-attention of x with the look-ahead mask; also return the scores
        # mult_attn_out1, attn_weights_block1 = None  # (batch_size, target_seq_len, embedding_dim)
        #
        # # Dropout (self.dropout1), active only while training
        # mult_attn_out1 = None
        #
        # # Residual connection from x, then layer normalization
        # Q1 = None
        #
        # # BLOCK 2
        # # Attention from Q1 (query) to enc_output (value and key) with the padding mask;
        # # also return the scores
        # mult_attn_out2, attn_weights_block2 = None  # (batch_size, target_seq_len, embedding_dim)
        #
        # # Dropout (self.dropout2), active only while training
        # mult_attn_out2 = None
        #
        # # Residual connection from Q1, then layer normalization
        # mult_attn_out2 = None  # (batch_size, target_seq_len, embedding_dim)
        #
        # # BLOCK 3
        # # The feed-forward network
        # ffn_output = None  # (batch_size, target_seq_len, embedding_dim)
        #
        # # Dropout (self.dropout3), active only while training
        # ffn_output = None
        #
        # # Residual connection from block 2, then layer normalization
        # out3 = None  # (batch_size, target_seq_len, embedding_dim)
        ### END STUB
        # END CODE HERE

        return out3, attn_weights_block1, attn_weights_block2


# UNQ_C7 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION Decoder
class Decoder(tf.keras.layers.Layer):
    """Target embedding scaled by sqrt(embedding_dim), plus positional encoding,
    dropout, then a stack of decoder layers; also returns every attention map."""

    def __init__(self, num_layers, embedding_dim, num_heads, fully_connected_dim, target_vocab_size,
                 maximum_position_encoding, dropout_rate=0.1, layernorm_eps=1e-6):
        super(Decoder, self).__init__()

        self.embedding_dim = embedding_dim
        self.num_layers = num_layers

        self.embedding = Embedding(target_vocab_size, self.embedding_dim)
        self.pos_encoding = positional_encoding(maximum_position_encoding, self.embedding_dim)

        self.dec_layers = [DecoderLayer(embedding_dim=self.embedding_dim,
                                        num_heads=num_heads,
                                        fully_connected_dim=fully_connected_dim,
                                        dropout_rate=dropout_rate,
                                        layernorm_eps=layernorm_eps)
                           for _ in range(self.num_layers)]
        self.dropout = Dropout(dropout_rate)

    def call(self, x, enc_output, training, look_ahead_mask, padding_mask):
        """Forward pass of the decoder.

        Arguments:
            x -- (batch_size, target_seq_len) token ids
            enc_output -- (batch_size, input_seq_len, embedding_dim)
            training (bool) -- whether dropout is active
            look_ahead_mask -- causal mask for the self-attention
            padding_mask -- mask of the encoder's real tokens

        Returns:
            x -- (batch_size, target_seq_len, embedding_dim)
            attention_weights -- dict of the attention maps of every layer
        """
        seq_len = tf.shape(x)[1]
        attention_weights = {}

        # START CODE HERE
        ### BEGIN SOLUTION
        x = self.embedding(x)  # (batch_size, target_seq_len, embedding_dim)
        x *= tf.math.sqrt(tf.cast(self.embedding_dim, tf.float32))
        x += self.pos_encoding[:, :seq_len, :]
        x = self.dropout(x, training=training)

        for i in range(self.num_layers):
            x, block1, block2 = self.dec_layers[i](x, enc_output, training,
                                                   look_ahead_mask, padding_mask)
            attention_weights['decoder_layer{}_block1_self_att'.format(i + 1)] = block1
            attention_weights['decoder_layer{}_block2_decenc_att'.format(i + 1)] = block2
        ### END SOLUTION
        ### BEGIN STUB
        # # Embed the token ids
        # x = None  # (batch_size, target_seq_len, embedding_dim)
        # # Scale the embeddings by the square root of embedding_dim (as float32)
        # x *= None
        # # Add the positional encoding of the first seq_len positions
        # x += None
        # # Dropout, active only while training
        # x = None
        #
        # # Run the decoder layers in order and keep their attention maps
        # for i in range(self.num_layers):
        #     x, block1, block2 = None
        #
        #     # Store them under the keys 'decoder_layer{i+1}_block1_self_att'
        #     # and 'decoder_layer{i+1}_block2_decenc_att'
        #     attention_weights['decoder_layer{}_block1_self_att'.format(i+1)] = None
        #     attention_weights['decoder_layer{}_block2_decenc_att'.format(i+1)] = None
        ### END STUB
        # END CODE HERE

        return x, attention_weights  # x: (batch_size, target_seq_len, embedding_dim)


# UNQ_C8 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION Transformer
class Transformer(tf.keras.Model):
    """Encoder, decoder and a softmax layer over the target vocabulary."""

    def __init__(self, num_layers, embedding_dim, num_heads, fully_connected_dim, input_vocab_size,
                 target_vocab_size, max_positional_encoding_input,
                 max_positional_encoding_target, dropout_rate=0.1, layernorm_eps=1e-6):
        super(Transformer, self).__init__()

        self.encoder = Encoder(num_layers=num_layers,
                               embedding_dim=embedding_dim,
                               num_heads=num_heads,
                               fully_connected_dim=fully_connected_dim,
                               input_vocab_size=input_vocab_size,
                               maximum_position_encoding=max_positional_encoding_input,
                               dropout_rate=dropout_rate,
                               layernorm_eps=layernorm_eps)

        self.decoder = Decoder(num_layers=num_layers,
                               embedding_dim=embedding_dim,
                               num_heads=num_heads,
                               fully_connected_dim=fully_connected_dim,
                               target_vocab_size=target_vocab_size,
                               maximum_position_encoding=max_positional_encoding_target,
                               dropout_rate=dropout_rate,
                               layernorm_eps=layernorm_eps)

        self.final_layer = Dense(target_vocab_size, activation='softmax')

    def call(self, inp, tar, training, enc_padding_mask, look_ahead_mask, dec_padding_mask):
        """Forward pass of the whole Transformer.

        Arguments:
            inp -- (batch_size, input_seq_len) token ids
            tar -- (batch_size, target_seq_len) token ids
            training (bool) -- whether dropout is active
            enc_padding_mask -- padding mask of the input, for the encoder
            look_ahead_mask -- causal mask for the decoder's self-attention
            dec_padding_mask -- padding mask of the input, for the decoder's second attention

        Returns:
            final_output -- (batch_size, target_seq_len, target_vocab_size) probabilities
            attention_weights -- the decoder's dict of attention maps
        """
        # START CODE HERE
        ### BEGIN SOLUTION
        enc_output = self.encoder(inp, training, enc_padding_mask)  # (batch_size, inp_seq_len, embedding_dim)

        dec_output, attention_weights = self.decoder(tar, enc_output, training,
                                                     look_ahead_mask, dec_padding_mask)  # (batch_size, tar_seq_len, embedding_dim)

        final_output = self.final_layer(dec_output)  # (batch_size, tar_seq_len, target_vocab_size)
        ### END SOLUTION
        ### BEGIN STUB
        # # Encode the input sentence with its padding mask
        # enc_output = None  # (batch_size, inp_seq_len, embedding_dim)
        #
        # # Decode the output sentence, attending to enc_output; returns the attention maps too
        # dec_output, attention_weights = None  # (batch_size, tar_seq_len, embedding_dim)
        #
        # # Probabilities over the target vocabulary
        # final_output = None  # (batch_size, tar_seq_len, target_vocab_size)
        ### END STUB
        # END CODE HERE

        return final_output, attention_weights
