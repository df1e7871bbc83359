"""I have a chair, two potatoes, a cauliflower, a lettuce head, two tables, a cabbage, two onions,
and three fridges. How many vegetables do I have?"""
# BIG-Bench Hard, object counting: Python counts, the LM knows what a vegetable is.
# expected: 7

items = {
    "chair": 1,
    "potato": 2,
    "cauliflower": 1,
    "lettuce head": 1,
    "table": 2,
    "cabbage": 1,
    "onion": 2,
    "fridge": 3,
}
vegetables = 0
for item, how_many in items.items():
    if is_vegetable(item):
        vegetables += how_many
answer = vegetables
print("vegetables:", answer)
