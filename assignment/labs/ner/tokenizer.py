"""Offline WordPiece tokenizers built with ``tokenizers`` (no hub download needed).

The vocabulary is counted here rather than by ``tokenizers``' WordPieceTrainer, whose
ties between equally frequent merges fall in a per-process hash order, so two runs on
the same texts can give different vocabularies (and different models). Ours: special
tokens, every character (alone and as ``##`` continuation), the words seen at least
twice, then the most frequent word prefixes and ``##`` suffixes; ties go alphabetically.
The result is a ``DistilBertTokenizerFast``: saved with ``save_pretrained``, read back
with ``from_pretrained`` exactly like a hub checkpoint's tokenizer.
"""
from collections import Counter

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def learn_vocab(texts, vocab_size, normalizer, pre_tokenizer, max_piece=6):
    """A deterministic WordPiece vocabulary of at most ``vocab_size`` entries."""
    words = Counter()
    for text in texts:
        words.update(word for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)))
    chars = sorted({char for word in words for char in word})
    vocab = SPECIAL + chars + ["##" + char for char in chars]
    whole = sorted((w for w, n in words.items() if n >= 2 and len(w) > 1), key=lambda w: (-words[w], w))
    pieces = Counter()
    for word, count in words.items():
        for k in range(2, min(len(word), max_piece + 1)):
            pieces[word[:k]] += count
            pieces["##" + word[-k:]] += count
    ranked = sorted(pieces, key=lambda p: (-pieces[p], p))
    seen = set(vocab)
    for piece in whole + ranked:
        if len(vocab) >= vocab_size:
            break
        if piece not in seen:
            vocab.append(piece)
            seen.add(piece)
    return vocab


def train_wordpiece(texts, vocab_size=2000, lowercase=False, model_max_length=512):
    """A cased (by default) BERT-style WordPiece tokenizer learned from ``texts``."""
    from transformers import DistilBertTokenizerFast

    normalizer = normalizers.BertNormalizer(lowercase=lowercase, strip_accents=False)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    vocab = learn_vocab(list(texts), vocab_size, normalizer, pre_tokenizer)
    core = Tokenizer(models.WordPiece({token: i for i, token in enumerate(vocab)}, unk_token="[UNK]",
                                      max_input_chars_per_word=100))
    core.normalizer, core.pre_tokenizer, core.decoder = normalizer, pre_tokenizer, decoders.WordPiece()
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
    core.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return DistilBertTokenizerFast(
        tokenizer_object=core, do_lower_case=lowercase, model_max_length=model_max_length,
        unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]",
    )
