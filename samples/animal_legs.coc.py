"""Which animals in this list have more legs than a dog, and how many legs do they have?"""
# A line that fails at run time: the table has no entry for most animals, so the LM answers
# for the lookup that raised KeyError, and the rest of the program runs in Python.
# expected: {'spider': 8, 'ant': 6}

known_legs = {"dog": 4, "chicken": 2}
animals = ["spider", "chicken", "ant", "snake"]
more = {}
for animal in animals:
    legs = known_legs[animal]
    if legs > known_legs["dog"]:
        more[animal] = legs
answer = more
print(answer)
