"""Question: Fidel lies. Jerry says Fidel tells the truth. Vina says Jerry tells the truth.
Millicent says Vina lies. Raymond says Millicent lies. Does Raymond tell the truth?"""
# BIG-Bench Hard, web of lies: the LM reads each claim, Python chains them.
# expected: False

claims = [
    "Jerry says Fidel tells the truth.",
    "Vina says Jerry tells the truth.",
    "Millicent says Vina lies.",
    "Raymond says Millicent lies.",
]
truthful = {"Fidel": False}
for claim in claims:
    speaker, subject = claim.split(" says ")[0], claim.split(" says ")[1].split()[0]
    says_truth = claims_the_subject_tells_the_truth(claim)  # -> bool
    truthful[speaker] = says_truth == truthful[subject]
answer = truthful["Raymond"]
print("Raymond tells the truth:", answer)
