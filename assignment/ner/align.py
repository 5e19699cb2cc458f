"""The graded exercise: give each subtoken the tag of the word it comes from.

The course's lab tagged whitespace-split words but tokenized the raw text, so after the
first punctuation mark (``"Python,"`` is one word but two pre-tokens) its labels slid
out of line. Here the tokenizer gets the words themselves (``is_split_into_words``) and
``word_ids()`` says which word every subtoken belongs to.
"""
import assignment  # noqa: F401  (selects tf-keras before TensorFlow loads)

IGNORE = -100  # the label the loss and the metrics skip


# UNQ_C1 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION tokenize_and_align_labels
def tokenize_and_align_labels(tokenizer, words, tags, label_all_tokens=False, max_length=512):
    """Tokenize pre-split words and align their BIO tags with the subtokens.

    Arguments:
        tokenizer -- a fast Hugging Face tokenizer (it must offer ``word_ids()``)
        words -- list of strings, the words of one example
        tags -- list of tag strings ("O", "B-Skills", ...), one per word
        label_all_tokens (bool) -- False: only a word's first subtoken gets its tag and
            the others get -100; True: every subtoken gets the tag, B- turned into I-
            after the first subtoken
        max_length (int) -- longest output, special tokens included (longer is cut)

    Returns:
        encoding -- the tokenizer's output (``input_ids``, ``attention_mask``) plus
            ``labels``: a list as long as ``input_ids`` of tag strings or -100
    """
    # START CODE HERE
    ### BEGIN SOLUTION
    encoding = tokenizer(words, is_split_into_words=True, truncation=True, max_length=max_length)
    labels = []
    previous = None
    for word_id in encoding.word_ids():  # one entry per subtoken, None for [CLS]/[SEP]
        if word_id is None:
            labels.append(-100)
        elif word_id != previous:
            labels.append(tags[word_id])
        elif label_all_tokens:
            labels.append("I-" + tags[word_id][2:] if tags[word_id].startswith("B-") else tags[word_id])
        else:
            labels.append(-100)
        previous = word_id
    encoding["labels"] = labels
    ### END SOLUTION
    ### BEGIN STUB
    # # Tokenize the list of words (not the joined text!), cut to max_length
    # encoding = None
    # labels = []
    # previous = None
    # # word_ids() gives, for each subtoken, the index of its word (None: special token)
    # for word_id in None:
    #     if word_id is None:
    #         labels.append(None)
    #     elif word_id != previous:
    #         labels.append(None)
    #     elif label_all_tokens:
    #         # the word's tag, with a B- turned into I-
    #         labels.append(None)
    #     else:
    #         labels.append(None)
    #     previous = word_id
    # encoding["labels"] = labels
    ### END STUB
    # END CODE HERE

    return encoding


def labels_to_ids(labels, label2id):
    """Map aligned labels (tag strings and -100) to ids, keeping -100."""
    return [label if label == IGNORE else label2id[label] for label in labels]
