# %%
import os
import sys

# Must happen before the first `import tensorflow` in this kernel.
os.environ["TF_USE_LEGACY_KERAS"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # C++ log: errors only, no start-up notices
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # oneDNN custom ops off, and not announced


def _find_repo_root(start="."):
    """The nearest folder, from `start` upwards, that holds public_tests.py."""
    folder = os.path.abspath(start)
    while not os.path.isfile(os.path.join(folder, "public_tests.py")):
        parent = os.path.dirname(folder)
        if parent == folder:
            raise FileNotFoundError("public_tests.py not found in this folder or any folder above it; "
                                    "open the notebook from the assignment's repository")
        folder = parent
    return folder


REPO_ROOT = _find_repo_root()
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

import numpy as np
import tensorflow as tf
import matplotlib.pyplot as plt

from tensorflow.keras.layers import Embedding, MultiHeadAttention, Dense, Input, Dropout, LayerNormalization

from public_tests import *

plt.rcParams["figure.dpi"] = 80
print("TensorFlow", tf.__version__)

# %%
# UNQ_C1 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION get_angles
def get_angles(pos, k, d):
    """Angles pos / 10000^(2i/d) of the positional encoding, where i = k // 2.

    Arguments:
        pos -- column vector (positions, 1) of positions
        k -- row vector (1, d) of dimension indices 0..d-1
        d (int) -- encoding size

    Returns:
        angles -- (positions, d) numpy array
    """
    # START CODE HERE
    i = k // 2  # dimensions 2i and 2i+1 share a frequency
    angles = pos / np.power(10000, (2 * i) / np.float32(d))  # (positions, d)
    # END CODE HERE

    return angles

# %%
# UNIT TEST
get_angles_test(get_angles)

# %%
example_angles = get_angles(np.arange(3)[:, np.newaxis],  # positions 0, 1, 2 as a column
                            np.arange(4)[np.newaxis, :],  # dimensions 0..3 as a row
                            4)
print(example_angles.shape)
print(np.round(example_angles, 4))

# %%
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
    angle_rads = get_angles(np.arange(positions)[:, np.newaxis],  # (positions, 1)
                            np.arange(d)[np.newaxis, :],          # (1, d)
                            d)                                    # (positions, d)
    angle_rads[:, 0::2] = np.sin(angle_rads[:, 0::2])  # even columns: 2i
    angle_rads[:, 1::2] = np.cos(angle_rads[:, 1::2])  # odd columns: 2i+1
    pos_encoding = angle_rads[np.newaxis, ...]  # (1, positions, d)
    # END CODE HERE

    return tf.cast(pos_encoding, dtype=tf.float32)

# %%
# UNIT TEST
positional_encoding_test(positional_encoding, get_angles)

# %%
small_encoding = positional_encoding(3, 4)
print(small_encoding.shape, small_encoding.dtype.name)
print(np.round(small_encoding[0].numpy(), 3))

# %%
pos_encoding = positional_encoding(50, 128)

plt.figure(figsize=(8, 3.5))
plt.pcolormesh(pos_encoding[0].numpy(), cmap="RdBu", vmin=-1, vmax=1)
plt.xlabel("dimension k")
plt.ylabel("position")
plt.title("Positional encoding, 50 positions x 128 dimensions")
plt.colorbar(label="value")
plt.show()

# %%
plt.figure(figsize=(8, 3))
for k in (0, 16, 17, 32):
    plt.plot(pos_encoding[0, :, k].numpy(), label=f"k = {k} ({'sin' if k % 2 == 0 else 'cos'}, i = {k // 2})")
plt.xlabel("position")
plt.ylabel("encoding value")
plt.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize="small")
plt.title("A few dimensions of the positional encoding")
plt.tight_layout()
plt.show()

# %%
encodings = pos_encoding[0].numpy()  # (50, 128)
similarity = encodings @ encodings.T  # (50, 50): dot product of every pair of positions

plt.figure(figsize=(4.5, 3.8))
plt.imshow(similarity, cmap="magma")
plt.xlabel("position")
plt.ylabel("position")
plt.title("Dot products of positional encodings")
plt.colorbar(label="dot product")
plt.show()

# %%
def create_padding_mask(decoder_token_ids):
    """Mask of the real tokens: (n, m) ids -> (n, 1, m) floats, 1.0 where the id is not 0."""
    seq = 1 - tf.cast(tf.math.equal(decoder_token_ids, 0), tf.float32)  # (n, m)
    return seq[:, tf.newaxis, :]  # (n, 1, m): broadcasts over the query positions

# %%
token_ids = tf.constant([[7, 6, 0, 0, 1],
                         [1, 2, 3, 0, 0],
                         [0, 0, 0, 4, 5]])
padding_mask = create_padding_mask(token_ids)
print(padding_mask.shape)
print(padding_mask[:, 0, :].numpy())

# %%
scores = tf.constant([[0.5, 1.0, 2.0, 0.3, 1.5]])
print("without mask:", np.round(tf.keras.activations.softmax(scores).numpy(), 3))
masked_scores = scores + (1.0 - padding_mask[0]) * -1.0e9
print("with mask:   ", np.round(tf.keras.activations.softmax(masked_scores).numpy(), 3))

# %%
def create_look_ahead_mask(sequence_length):
    """Causal mask (1, L, L): position t may attend to positions 0..t only."""
    return tf.linalg.band_part(tf.ones((1, sequence_length, sequence_length)), -1, 0)

# %%
look_ahead_mask = create_look_ahead_mask(4)
print(look_ahead_mask.shape)
print(look_ahead_mask[0].numpy())

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 3), constrained_layout=True)
panels = [(padding_mask[:, 0, :].numpy(), "padding mask (batch of 3)", "sentence"),
          (create_look_ahead_mask(6)[0].numpy(), "look-ahead mask (6 positions)", "query position")]
for ax, (mask, title, ylabel) in zip(axes, panels):
    ax.imshow(mask, cmap="gray", vmin=0, vmax=1)
    ax.set_xticks(range(mask.shape[1]))
    ax.set_yticks(range(mask.shape[0]))
    ax.set_title(title)
    ax.set_xlabel("key position")
    ax.set_ylabel(ylabel)
plt.show()

# %%
# UNQ_C3 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION scaled_dot_product_attention
def scaled_dot_product_attention(q, k, v, mask):
    """softmax(q k^T / sqrt(d_k) + mask term) v, over any leading batch dimensions.

    Arguments:
        q -- query, shape (..., seq_len_q, depth)
        k -- key, shape (..., seq_len_k, depth)
        v -- value, shape (..., seq_len_v, depth_v) with seq_len_v == seq_len_k
        mask -- float tensor broadcastable to (..., seq_len_q, seq_len_k): 1.0 may
                attend, 0.0 blocked. Defaults to None.

    Returns:
        output -- (..., seq_len_q, depth_v)
        attention_weights -- (..., seq_len_q, seq_len_k)
    """
    # START CODE HERE
    matmul_qk = tf.matmul(q, k, transpose_b=True)  # (..., seq_len_q, seq_len_k)
    dk = tf.cast(tf.shape(k)[-1], tf.float32)
    scaled_attention_logits = matmul_qk / tf.math.sqrt(dk)

    if mask is not None:  # blocked positions get a huge negative logit
        scaled_attention_logits += (1.0 - mask) * -1e9

    attention_weights = tf.keras.activations.softmax(scaled_attention_logits, axis=-1)
    output = tf.matmul(attention_weights, v)  # (..., seq_len_q, depth_v)
    # END CODE HERE

    return output, attention_weights

# %%
# UNIT TEST
scaled_dot_product_attention_test(scaled_dot_product_attention)

# %%
q_demo = tf.constant([[1., 0., 1.],
                      [0., 1., 1.],
                      [1., 1., 0.],
                      [1., 0., 0.]])
v_demo = tf.eye(4)
attention_output, attention_weights = scaled_dot_product_attention(
    q_demo, q_demo, v_demo, create_look_ahead_mask(4))
print(attention_weights.shape)
print(np.round(attention_weights[0].numpy(), 3))

# %%
weights = attention_weights[0].numpy()
plt.figure(figsize=(4.5, 3.5))
plt.imshow(weights, cmap="viridis", vmin=0, vmax=1)
for (row, col), value in np.ndenumerate(weights):
    plt.text(col, row, f"{value:.2f}", ha="center", va="center",
             color="white" if value < 0.5 else "black", fontsize=9)
plt.xticks(range(4))
plt.yticks(range(4))
plt.xlabel("key position")
plt.ylabel("query position")
plt.title("Attention weights\n(look-ahead mask)")
plt.colorbar(label="weight")
plt.show()

# %%
def FullyConnected(embedding_dim, fully_connected_dim):
    """Position-wise feed-forward network: Dense(relu) to fully_connected_dim, back to embedding_dim."""
    return tf.keras.Sequential([
        Dense(fully_connected_dim, activation="relu"),  # (batch, seq_len, fully_connected_dim)
        Dense(embedding_dim),  # (batch, seq_len, embedding_dim)
    ])

# %%
# UNQ_C4 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION EncoderLayer
class EncoderLayer(tf.keras.layers.Layer):
    """One encoder block: multi-head self-attention, then a feed-forward network,
    each followed by a residual connection and layer normalization."""

    def __init__(self, embedding_dim, num_heads, fully_connected_dim,
                 dropout_rate=0.1, layernorm_eps=1e-6):
        super(EncoderLayer, self).__init__()

        self.mha = MultiHeadAttention(num_heads=num_heads,
                                      key_dim=embedding_dim,
                                      dropout=dropout_rate)

        self.ffn = FullyConnected(embedding_dim=embedding_dim,
                                  fully_connected_dim=fully_connected_dim)

        self.layernorm1 = LayerNormalization(epsilon=layernorm_eps)
        self.layernorm2 = LayerNormalization(epsilon=layernorm_eps)

        self.dropout_ffn = Dropout(dropout_rate)

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
        # (≈ 5 lines of code)
        # Multi-head self-attention of x, using the mask (Dropout is done inside the layer)
        self_mha_output = None  # (batch_size, input_seq_len, embedding_dim)

        # Residual connection from x, then layer normalization
        skip_x_attention = None  # (batch_size, input_seq_len, embedding_dim)

        # The feed-forward network on that
        ffn_output = None  # (batch_size, input_seq_len, embedding_dim)

        # Dropout, active only while training
        ffn_output = None

        # Second residual connection, then layer normalization
        encoder_layer_out = None  # (batch_size, input_seq_len, embedding_dim)
        # END CODE HERE

        return encoder_layer_out

# %%
# UNIT TEST
EncoderLayer_test(EncoderLayer)

# %%
demo_encoder_layer = EncoderLayer(embedding_dim=8, num_heads=2, fully_connected_dim=16)
demo_tokens = tf.constant([[3, 1, 4, 1, 5], [9, 2, 6, 0, 0]])
demo_x = tf.random.uniform((2, 5, 8))
demo_out = demo_encoder_layer(demo_x, False, create_padding_mask(demo_tokens))
print(demo_out.shape)

# %%
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
        # (≈ 6 lines of code)
        # Embed the token ids
        x = None  # (batch_size, input_seq_len, embedding_dim)
        # Scale the embeddings by the square root of embedding_dim (as float32)
        x *= None
        # Add the positional encoding of the first seq_len positions
        x += None
        # Dropout, active only while training
        x = None
        # Run the encoder layers in order
        for i in range(self.num_layers):
            x = None
        # END CODE HERE

        return x  # (batch_size, input_seq_len, embedding_dim)

# %%
# UNIT TEST
Encoder_test(Encoder)

# %%
demo_encoder = Encoder(num_layers=2, embedding_dim=8, num_heads=2, fully_connected_dim=16,
                       input_vocab_size=10, maximum_position_encoding=20)
demo_encoded = demo_encoder(demo_tokens, False, create_padding_mask(demo_tokens))
print(demo_encoded.shape)

# %%
# UNQ_C6 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION DecoderLayer
class DecoderLayer(tf.keras.layers.Layer):
    """One decoder block: masked self-attention, attention over the encoder output,
    then a feed-forward network; each with a residual connection and layer norm."""

    def __init__(self, embedding_dim, num_heads, fully_connected_dim, dropout_rate=0.1, layernorm_eps=1e-6):
        super(DecoderLayer, self).__init__()

        self.mha1 = MultiHeadAttention(num_heads=num_heads,
                                       key_dim=embedding_dim,
                                       dropout=dropout_rate)

        self.mha2 = MultiHeadAttention(num_heads=num_heads,
                                       key_dim=embedding_dim,
                                       dropout=dropout_rate)

        self.ffn = FullyConnected(embedding_dim=embedding_dim,
                                  fully_connected_dim=fully_connected_dim)

        self.layernorm1 = LayerNormalization(epsilon=layernorm_eps)
        self.layernorm2 = LayerNormalization(epsilon=layernorm_eps)
        self.layernorm3 = LayerNormalization(epsilon=layernorm_eps)

        self.dropout_ffn = Dropout(dropout_rate)

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
        # (≈ 7 lines of code)
        # BLOCK 1
        # Masked self-attention of x with the look-ahead mask; also return the scores
        mult_attn_out1, attn_weights_block1 = None  # (batch_size, target_seq_len, embedding_dim)

        # Residual connection from x, then layer normalization
        Q1 = None

        # BLOCK 2
        # Attention from Q1 (query) to enc_output (value and key) with the padding mask;
        # also return the scores
        mult_attn_out2, attn_weights_block2 = None  # (batch_size, target_seq_len, embedding_dim)

        # Residual connection from Q1, then layer normalization
        mult_attn_out2 = None  # (batch_size, target_seq_len, embedding_dim)

        # BLOCK 3
        # The feed-forward network
        ffn_output = None  # (batch_size, target_seq_len, embedding_dim)

        # Dropout, active only while training
        ffn_output = None

        # Residual connection from block 2, then layer normalization
        out3 = None  # (batch_size, target_seq_len, embedding_dim)
        # END CODE HERE

        return out3, attn_weights_block1, attn_weights_block2

# %%
# UNIT TEST
DecoderLayer_test(DecoderLayer, create_look_ahead_mask)

# %%
demo_decoder_layer = DecoderLayer(embedding_dim=8, num_heads=2, fully_connected_dim=16)
demo_target = tf.random.uniform((2, 3, 8))
demo_out, demo_block1, demo_block2 = demo_decoder_layer(
    demo_target, demo_encoded, False, create_look_ahead_mask(3), create_padding_mask(demo_tokens))
print("output:              ", demo_out.shape)
print("self-attention:      ", demo_block1.shape)
print("encoder-decoder att.:", demo_block2.shape)

# %%
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
        # (≈ 8 lines of code)
        # Embed the token ids
        x = None  # (batch_size, target_seq_len, embedding_dim)
        # Scale the embeddings by the square root of embedding_dim (as float32)
        x *= None
        # Add the positional encoding of the first seq_len positions
        x += None
        # Dropout, active only while training
        x = None

        # Run the decoder layers in order and keep their attention maps
        for i in range(self.num_layers):
            x, block1, block2 = None

            # Store them under the keys 'decoder_layer{i+1}_block1_self_att'
            # and 'decoder_layer{i+1}_block2_decenc_att'
            attention_weights['decoder_layer{}_block1_self_att'.format(i+1)] = None
            attention_weights['decoder_layer{}_block2_decenc_att'.format(i+1)] = None
        # END CODE HERE

        return x, attention_weights  # x: (batch_size, target_seq_len, embedding_dim)

# %%
# UNIT TEST
Decoder_test(Decoder, create_look_ahead_mask, create_padding_mask)

# %%
demo_decoder = Decoder(num_layers=2, embedding_dim=8, num_heads=2, fully_connected_dim=16,
                       target_vocab_size=12, maximum_position_encoding=20)
demo_target_tokens = tf.constant([[1, 5, 7], [1, 4, 0]])
demo_decoded, demo_attention = demo_decoder(demo_target_tokens, demo_encoded, False,
                                            create_look_ahead_mask(3), create_padding_mask(demo_tokens))
print(demo_decoded.shape)
for name, weights in demo_attention.items():
    print(name, weights.shape)

# %%
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

    def call(self, input_sentence, output_sentence, training, enc_padding_mask, look_ahead_mask, dec_padding_mask):
        """Forward pass of the whole Transformer.

        Arguments:
            input_sentence -- (batch_size, input_seq_len) token ids
            output_sentence -- (batch_size, target_seq_len) token ids
            training (bool) -- whether dropout is active
            enc_padding_mask -- padding mask of the input, for the encoder
            look_ahead_mask -- causal mask for the decoder's self-attention
            dec_padding_mask -- padding mask of the input, for the decoder's second attention

        Returns:
            final_output -- (batch_size, target_seq_len, target_vocab_size) probabilities
            attention_weights -- the decoder's dict of attention maps
        """
        # START CODE HERE
        # (≈ 3 lines of code)
        # Encode the input sentence with its padding mask
        enc_output = None  # (batch_size, inp_seq_len, embedding_dim)

        # Decode the output sentence, attending to enc_output; returns the attention maps too
        dec_output, attention_weights = None  # (batch_size, tar_seq_len, embedding_dim)

        # Probabilities over the target vocabulary
        final_output = None  # (batch_size, tar_seq_len, target_vocab_size)
        # END CODE HERE

        return final_output, attention_weights

# %%
# UNIT TEST
Transformer_test(Transformer, create_look_ahead_mask, create_padding_mask)

# %%
transformer = Transformer(num_layers=2, embedding_dim=8, num_heads=2, fully_connected_dim=16,
                          input_vocab_size=10, target_vocab_size=12,
                          max_positional_encoding_input=20, max_positional_encoding_target=20)
source_tokens = tf.constant([[3, 1, 4, 1, 5, 9], [2, 6, 5, 3, 0, 0]])
target_tokens = tf.constant([[1, 7, 2, 8], [1, 8, 2, 0]])
enc_padding_mask = create_padding_mask(source_tokens)
dec_look_ahead_mask = create_look_ahead_mask(target_tokens.shape[1])
probabilities, decoder_attention = transformer(source_tokens, target_tokens, False,
                                               enc_padding_mask, dec_look_ahead_mask, enc_padding_mask)
print(probabilities.shape)
print(np.allclose(tf.reduce_sum(probabilities, axis=-1).numpy(), 1.0, atol=1e-5))
print(sorted(decoder_attention))

# %%
# Encoder self-attention of the first encoder layer, recomputed from its input.
encoder = transformer.encoder
embedded = encoder.embedding(source_tokens) * tf.math.sqrt(tf.cast(encoder.embedding_dim, tf.float32))
embedded += encoder.pos_encoding[:, :source_tokens.shape[1], :]
_, encoder_attention = encoder.enc_layers[0].mha(embedded, embedded, embedded, enc_padding_mask,
                                                 return_attention_scores=True)

maps = [
    ("encoder self-attention\n(layer 1)", encoder_attention[1, 0], "input position", "input position"),
    ("decoder masked self-attention\n(layer 1)", decoder_attention["decoder_layer1_block1_self_att"][1, 0],
     "output position", "output position"),
    ("decoder-encoder attention\n(layer 2)", decoder_attention["decoder_layer2_block2_decenc_att"][1, 0],
     "input position", "output position"),
]
fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), constrained_layout=True)
for ax, (title, weights, xlabel, ylabel) in zip(axes, maps):
    image = ax.imshow(weights.numpy(), cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(weights.shape[1]))
    ax.set_yticks(range(weights.shape[0]))
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
fig.colorbar(image, ax=axes, shrink=0.85, label="weight")
plt.show()

# %%
import os

from IPython.display import Image, display

from assignment.labs.dates.decode import translate
from assignment.labs.dates.model import load_model
from assignment.labs.dates.plots import plot_attention
from assignment.labs.dates.train import train
from assignment.prerequisites import require

require(Transformer_test, Transformer, create_look_ahead_mask, create_padding_mask)
MODEL_DIR = os.path.join(_find_repo_root(), "build", "dates_model")
if os.path.isfile(os.path.join(MODEL_DIR, "config.json")):
    model, config = load_model(Transformer, MODEL_DIR)
else:  # a short run: good, not perfect
    model, history = train(Transformer, out_dir=MODEL_DIR, steps=1000, eval_every=250, warmup_steps=200)

dates = ["3 May 1979", "tuesday, march 12 2002", "12.03.02", "Mar 5, 1999", "the 1st of June 2010"]
for text, iso in zip(dates, translate(model, dates)):
    print(f"{text:>24} -> {iso}")

# %%
require(Transformer_test, Transformer, create_look_ahead_mask, create_padding_mask)
display(Image(os.path.join(MODEL_DIR, "learning_curves.png")))

# %%
require(Transformer_test, Transformer, create_look_ahead_mask, create_padding_mask)
example_png = os.path.join(MODEL_DIR, "attention_example.png")
plot_attention(model, "the 1st of June 2010", example_png)
display(Image(example_png))
