words = ["apple", "fig", "banana", "kiwi"]
total = 0
for word in words:
    score = rating(word)
    total += score
print("total:", total)
