"""The graded exercise: give each subtoken the tag of the word it comes from.

The course's lab ("Exercise 1 - tokenize_and_align_labels") defines
``tokenize_and_align_labels(tokenizer, examples, tags)``, batched, reading a module-level
``label_all_tokens = True``, and pads every example to ``max_length=512``. Its tokenizer
call passes ``is_split_into_words=False`` on the raw resume texts while the tags belong to
whitespace-split words, so after the first punctuation mark (``"Python,"`` is one word but
two pre-tokens) its labels slide out of line. (The course's version, as real learners'
notebooks hold it: e.g. github.com/a920604a/coursera-bk,
Deeplearnnig.ai/Sequence-Models/W4A2_UGL/Transformer_application_Named_Entity_Recognition/;
github.com/jungsoh/transformers-named-entity-recognition.)

Here the signature, the batching, the module-level flag and the padding are the course's;
what changes is that each example is a list of words, given to the tokenizer as such
(``is_split_into_words=True``), and ``word_ids(batch_index=i)`` says which word every
subtoken belongs to.
"""

# The course's default: every subtoken of a word gets a label (its later subtokens the
# word's tag with B- turned into I-); False labels only a word's first subtoken.
label_all_tokens = True


# UNQ_C1 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION tokenize_and_align_labels
def tokenize_and_align_labels(tokenizer, examples, tags, max_length=512):
    """Tokenize a batch of pre-split examples and align their tags with the subtokens.

    Arguments:
        tokenizer -- a fast Hugging Face tokenizer (it must offer ``word_ids()``)
        examples -- list of examples, each a list of words (strings)
        tags -- list of tag lists, one per example, one tag per word ("O", "B-Skills", ...)
        max_length (int) -- length of every output, special tokens included: longer examples
            are cut, shorter ones padded

    Uses the module-level ``label_all_tokens``: False, only a word's first subtoken gets its
    tag and the others get -100; True, every subtoken gets it, B- turned into I- after the
    first subtoken.

    Returns:
        tokenized_inputs -- the tokenizer's output (``input_ids``, ``attention_mask``, one
            list per example) plus ``labels``: one list per example, as long as its
            ``input_ids``, of tags or -100 ([CLS], [SEP], padding, skipped subtokens)
    """
    # START CODE HERE
    ### BEGIN SOLUTION
    tokenized_inputs = tokenizer(examples, is_split_into_words=True, truncation=True, padding="max_length",
                                 max_length=max_length)
    labels = []
    for index, example_tags in enumerate(tags):
        aligned, previous = [], None
        for word_id in tokenized_inputs.word_ids(batch_index=index):  # None: [CLS], [SEP], [PAD]
            if word_id is None:
                aligned.append(-100)
            elif word_id != previous:
                aligned.append(example_tags[word_id])
            elif label_all_tokens:
                tag = example_tags[word_id]
                aligned.append("I-" + tag[2:] if isinstance(tag, str) and tag.startswith("B-") else tag)
            else:
                aligned.append(-100)
            previous = word_id
        labels.append(aligned)
    tokenized_inputs["labels"] = labels
    ### END SOLUTION
    ### BEGIN STUB
    # # Tokenize the lists of words (not joined texts!): cut and pad to max_length
    # tokenized_inputs = None
    # labels = []
    # for index, example_tags in enumerate(tags):
    #     aligned, previous = [], None
    #     # word_ids(batch_index=index): for each subtoken of example `index`, the index
    #     # of its word (None: a special or padding token)
    #     for word_id in None:
    #         if word_id is None:
    #             aligned.append(None)
    #         elif word_id != previous:
    #             aligned.append(None)
    #         elif label_all_tokens:
    #             # the word's tag, with a B- turned into I-
    #             aligned.append(None)
    #         else:
    #             aligned.append(None)
    #         previous = word_id
    #     labels.append(aligned)
    # tokenized_inputs["labels"] = labels
    ### END STUB
    # END CODE HERE

    return tokenized_inputs
