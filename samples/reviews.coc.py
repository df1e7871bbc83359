"""Which product do these reviews like best, and how many positive reviews does each get?"""
# The quick start. Python groups the reviews, counts them and finds the best product; the LM only
# says whether one review is positive or negative, a judgement even the small embedded model makes
# well. Asked the whole question at once, the same model guesses.
# expected: {'kettle': 2, 'toaster': 0, 'lamp': 1}

reviews = [
    ("kettle", "I love this kettle, it is wonderful."),
    ("toaster", "Terrible toaster, it burnt my bread."),
    ("kettle", "Great kettle, I am very happy with it."),
    ("lamp", "The lamp broke after one day. Awful."),
    ("toaster", "It stopped working after a week, the worst thing I ever bought."),
    ("lamp", "A beautiful lamp, I love the warm light."),
    ("kettle", "Awful, it leaks and the handle gets too hot."),
]

positive = {}
for product, text in reviews:
    positive.setdefault(product, 0)
    if sentiment(text) == "positive":  # -> Literal['positive', 'negative']
        positive[product] += 1
best = max(positive, key=positive.get)
answer = positive
print("positive reviews:", answer, "- best:", best)
