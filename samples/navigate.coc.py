"""If you follow these instructions, do you return to the starting point? Take 3 steps. Turn
around. Take 5 steps. Turn right. Turn right. Take 2 steps."""
# BIG-Bench Hard, navigate: Python walks, the LM reads each instruction.
# expected: True

instructions = ["Take 3 steps.", "Turn around.", "Take 5 steps.", "Turn right.", "Turn right.", "Take 2 steps."]
x, y = 0, 0
dx, dy = 0, 1
for instruction in instructions:
    if instruction.startswith("Take"):
        steps = number_of_steps_in(instruction)  # -> int
        x, y = x + dx * steps, y + dy * steps
    elif instruction == "Turn around.":
        dx, dy = -dx, -dy
    elif instruction == "Turn right.":
        dx, dy = dy, -dx
    elif instruction == "Turn left.":
        dx, dy = -dy, dx
answer = (x, y) == (0, 0)
print("back at the start:", answer)
