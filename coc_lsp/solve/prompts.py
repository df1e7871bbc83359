"""The prompts of `coc solve`, after the paper (Li et al., 2312.04474, Appendix: prompts).

Few-shot, completion style: each exemplar is the question, the program between `# CODE START`
and `# CODE END`, and its answer; the new question follows, and the model continues after
`# CODE START`. Chat models get the paper's instruction as the system message with the exemplars
in the user message. Zero-shot, the model is asked to write the program itself. The baselines:
`direct` (question -> answer, the same exemplars with their answers only) and `cot` (BIG-Bench
Hard's own three-shot chain-of-thought prompt for the task, when it is given).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from coc_lsp.lm.request import Messages
from coc_lsp.solve.exemplars import Exemplar

CODE_START, CODE_END = "# CODE START", "# CODE END"
FEW_SHOT_INSTRUCTION = (
    "Pretend you are a completion model that is prompted with three examples. You should follow"
    " the pattern of these examples strictly. At the end of your reply, you should always output"
    " an answer."
)
ZERO_SHOT_INSTRUCTION = (
    "Write Python code to help solve the problem, if it's helpful. Use Python for anything that can"
    " be computed; call undefined helper functions for steps that need knowledge or judgement (they"
    ' are answered for you; give them ret_type="..." when the type of the answer matters, e.g.'
    ' ret_type="bool"), or write such a step as a line of pseudo-code. Assign the final answer to'
    f" the variable `answer`. Reply with the code between {CODE_START} and {CODE_END}."
)
DIRECT_INSTRUCTION = "Answer the question. Reply with the answer only."
FALLBACK_INSTRUCTION = (
    "A program was written to answer the question below, but running it failed. Read the question"
    " and the program, and answer the question yourself. Reply with the answer only, after 'A:'."
)
PROGRAM_ANSWER_INSTRUCTION = (
    "Read the question and the program written to answer it. Without running it, work out the"
    " value the program gives `answer`. Reply with that value only, after 'A:'."
)
COT_TRIGGER = "Let's think step by step."


def exemplar_text(exemplar: Exemplar) -> str:
    return f"Q: {exemplar.question}\n{CODE_START}\n{exemplar.program.rstrip()}\n{CODE_END}\nAnswer: {exemplar.target}\n"


def program_messages(question: str, exemplars: Sequence[Exemplar]) -> Messages:
    """The prompt that has a Chain of Code program written for `question`."""
    if not exemplars:
        return [
            {"role": "system", "content": ZERO_SHOT_INSTRUCTION},
            {"role": "user", "content": f"Q: {question}\n{CODE_START}\n"},
        ]
    shots = "\n".join(exemplar_text(e) for e in exemplars)
    return [
        {"role": "system", "content": FEW_SHOT_INSTRUCTION},
        {"role": "user", "content": f"{shots}\nQ: {question}\n{CODE_START}\n"},
    ]


def direct_messages(question: str, exemplars: Sequence[Exemplar]) -> Messages:
    shots = "".join(f"Q: {e.question}\nA: {e.target}\n\n" for e in exemplars)
    return [
        {"role": "system", "content": DIRECT_INSTRUCTION},
        {"role": "user", "content": f"{shots}Q: {question}\nA:"},
    ]


def bbh_cot_exemplars(text: str) -> str:
    """The exemplars of a BIG-Bench Hard cot-prompts/<task>.txt file: from the first `Q:` line
    after its canary line, the `-----` line and the task description (one line, or several)."""
    body = text.split("-----", 1)[-1]
    start = re.search(r"^Q:", body, re.MULTILINE)
    return body[start.start():] if start else body


def cot_messages(question: str, cot_prompt: str | None) -> Messages:
    """BBH's chain-of-thought prompt for the task (its exemplars after its header), or a zero-shot
    'Let's think step by step.' when there is none."""
    shots = f"{cot_prompt.strip()}\n\n" if cot_prompt else ""
    return [{"role": "user", "content": f"{shots}Q: {question}\nA: {COT_TRIGGER}"}]


def fallback_messages(question: str, program: str, error: str) -> Messages:
    return [
        {"role": "system", "content": FALLBACK_INSTRUCTION},
        {"role": "user", "content": f"Q: {question}\n{CODE_START}\n{program.rstrip()}\n{CODE_END}\nError: {error}\nA:"},
    ]


def program_answer_messages(question: str, program: str) -> Messages:
    """The LM reads the program and gives `answer` (the paper's "LM" ablation: no state)."""
    return [
        {"role": "system", "content": PROGRAM_ANSWER_INSTRUCTION},
        {"role": "user", "content": f"Q: {question}\n{CODE_START}\n{program.rstrip()}\n{CODE_END}\nA:"},
    ]
