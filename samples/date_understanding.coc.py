"""Today is Christmas Eve of 1937. What is the date 10 days ago in MM/DD/YYYY?"""
# BIG-Bench Hard, date understanding: the LM knows the holiday, Python does the calendar.
# expected: '12/14/1937'
from datetime import date, timedelta

month, day = month_and_day_of_holiday("Christmas Eve")  # -> tuple[int, int]
today = date(1937, month, day)
earlier = today - timedelta(days=10)
answer = earlier.strftime("%m/%d/%Y")
print("10 days ago:", answer)
