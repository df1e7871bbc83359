"""Which reviews are sarcastic? An emulated call inside a nested function."""


def review(texts):
    def judge(text):
        sarcastic = is_sarcastic(text)
        if sarcastic:
            verdict = "sarcastic"
        else:
            verdict = "sincere"
        return verdict

    return [judge(t) for t in texts]


def shout(word):
    loud = word.upper()
    return loud + "!"


def parse_number(text):
    try:
        return int(text)
    except ValueError:
        return None


answer = review(["Oh great, another Monday.", "I like tea."])
tally = the number of sarcastic verdicts in answer
mood = weather_today.mood
greeting = shout("hi")
bad = parse_number("abc")
print("verdicts:", answer)
print("tally:", tally, mood, greeting, bad)
