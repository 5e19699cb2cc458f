"""The graded exercise: where the answer is, in tokens.

A question-answering model such as ``TFDistilBertForQuestionAnswering`` reads the question
and the story as one sequence, ``[CLS] question [SEP] story [SEP]``, and learns two
positions of it: the answer's first token (``start_positions``) and its last token
(``end_positions``, inclusive), the labels the model's loss takes. The data give the answer
in characters of the story (``answer_start`` and the answer's text); the fast tokenizer's
``offset_mapping`` says which characters each token covers, and ``sequence_ids()`` which
of the two texts it comes from (0: question, 1: story, None: special or padding tokens).

Decisions (documented in the lab): one question at a time (the lab loops over examples);
the question comes first, as in Hugging Face's question-answering examples (the course's
lab tokenized ``(sentence, question)``); only the story is cut (``truncation="only_second"``)
and every output is padded to ``max_length``; an answer that truncation cut off, wholly or
in part, gets position 0, the ``[CLS]`` token, for both start and end (the convention of
Hugging Face's SQuAD 2.0 examples for "no answer here").
"""

# answer_token_positions' default, written out in its signature (the notebook's cell holds the
# function only); the lab's stories are about 75 tokens with their question.
MAX_LENGTH = 128


# UNQ_C1 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)
# GRADED FUNCTION answer_token_positions
def answer_token_positions(tokenizer, question, story, answer, answer_start, max_length=128):
    """Tokenize a (question, story) pair and find the answer's first and last token.

    Arguments:
        tokenizer -- a fast Hugging Face tokenizer (it must return offset mappings)
        question -- the question, a string ("Where is Mary?")
        story -- the story, a string; the answer is a part of it
        answer -- the answer's text ("bathroom")
        answer_start (int) -- the character index in ``story`` where the answer starts
        max_length (int) -- length of the output, special tokens included: a longer story
            is cut, a shorter one padded

    Returns:
        encoding -- the tokenizer's output for the pair (``input_ids``, ``attention_mask``,
            ``offset_mapping``) plus ``start_positions`` and ``end_positions``: the indices
            (ints, in ``input_ids``) of the answer's first and last token, both 0 when
            truncation cut the answer off
    """
    # START CODE HERE
    ### BEGIN SOLUTION
    encoding = tokenizer(question, story, truncation="only_second", max_length=max_length, padding="max_length",
                         return_offsets_mapping=True)
    answer_end = answer_start + len(answer)  # one past the answer's last character
    sequence_ids = encoding.sequence_ids()
    start_position = end_position = None
    for index, (first, last) in enumerate(encoding["offset_mapping"]):
        if sequence_ids[index] != 1:  # a question token, [CLS], [SEP] or padding
            continue
        if first <= answer_start < last:
            start_position = index
        if first < answer_end <= last:
            end_position = index
    if start_position is None or end_position is None:  # cut off by truncation
        start_position = end_position = 0
    ### END SOLUTION
    ### BEGIN STUB
    # # Tokenize the pair, question first; cut only the story; pad to max_length; ask for the offsets
    # encoding = None
    # # One past the answer's last character
    # answer_end = None
    # # For each token: 0 (question), 1 (story) or None (special or padding token)
    # sequence_ids = None
    # start_position = end_position = None
    # for index, (first, last) in enumerate(encoding["offset_mapping"]):
    #     # skip every token that is not a token of the story
    #     if None:
    #         continue
    #     # the token that holds the answer's first character
    #     if None:
    #         start_position = None
    #     # the token that holds the answer's last character
    #     if None:
    #         end_position = None
    # # The answer was cut off: point both at [CLS]
    # if start_position is None or end_position is None:
    #     start_position = end_position = None
    ### END STUB
    # END CODE HERE

    encoding["start_positions"] = start_position
    encoding["end_positions"] = end_position
    return encoding
