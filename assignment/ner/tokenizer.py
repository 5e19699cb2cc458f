"""Offline WordPiece tokenizers trained with ``tokenizers`` (no hub download needed).

The result is a ``DistilBertTokenizerFast``, so it is saved with ``save_pretrained`` and
read back with ``from_pretrained`` exactly like a hub checkpoint's tokenizer.
"""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def train_wordpiece(texts, vocab_size=2000, lowercase=False, model_max_length=512):
    """A cased (by default) BERT-style WordPiece tokenizer learned from ``texts``."""
    from transformers import DistilBertTokenizerFast

    core = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    core.normalizer = normalizers.BertNormalizer(lowercase=lowercase, strip_accents=False)
    core.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    core.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=SPECIAL, show_progress=False)
    core.train_from_iterator(list(texts), trainer=trainer)
    cls, sep = core.token_to_id("[CLS]"), core.token_to_id("[SEP]")
    core.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    return DistilBertTokenizerFast(
        tokenizer_object=core, do_lower_case=lowercase, model_max_length=model_max_length,
        unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]",
    )
