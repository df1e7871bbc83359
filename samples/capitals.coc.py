"""What are the capitals of France, Japan, Egypt, Russia and Greece, in alphabetical order, and how
many letters do they have altogether?"""
# The quick start. Python sorts and counts letters, which a small model cannot do; the LM only
# names each capital, which even the small embedded model knows (benchmarks/emulation_quality.py:
# capital_of is right on every case of both sets).
# expected: (['Athens', 'Cairo', 'Moscow', 'Paris', 'Tokyo'], 27)

countries = ["France", "Japan", "Egypt", "Russia", "Greece"]
capitals = [capital_of(country) for country in countries]  # -> str
answer = (sorted(capitals), sum(len(capital) for capital in capitals))
print("capitals:", answer[0], "letters:", answer[1])
