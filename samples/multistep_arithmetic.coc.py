"""((-1 + 2) * 3 - (-4 * 5)) * (7 - -3 + 2 * 4) = ?"""
# BIG-Bench Hard, multistep arithmetic: all of it is Python; the LM is never asked.
# expected: 414

first = (-1 + 2) * 3 - (-4 * 5)
second = 7 - -3 + 2 * 4
answer = first * second
print("result:", answer)
