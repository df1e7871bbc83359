"""How many of these sentences are sarcastic?"""
# The paper's opening example: a semantic function inside a loop inside a function.
# expected: 2

sentences = [
    "Oh great, another Monday. Just what I needed.",
    "The museum opens at nine on weekdays.",
    "Wow, I just love waiting in line for three hours.",
    "She finished the marathon in under four hours.",
]


def count_sarcastic(items: list[str]) -> int:
    count = 0
    for sentence in items:
        # Does the sentence say the opposite of what it means?
        if is_sarcastic(sentence):
            count += 1
    return count


answer = count_sarcastic(sentences)
print("sarcastic sentences:", answer)
