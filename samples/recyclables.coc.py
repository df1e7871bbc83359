"""Which of these objects go into the recycling bin?"""
# Sorting objects into recyclables, with pseudo-code lines the LM runs.
# expected: ['newspaper', 'glass jar', 'aluminium can']

objects = ["newspaper", "banana peel", "glass jar", "aluminium can", "used tissue"]
recyclables = []
for thing in objects:
    ok = whether the thing is recyclable  # -> bool
    if ok:
        recyclables.append(thing)
answer = recyclables
print("recycle:", answer)
