"""The wordcount agent in Python: the same task and the same answer as examples/wordcount.

Input, a JSON file (argv[1]):  {"text": "...", "top": 3}
Output, JSON on stdout:        {"words": 14, "unique": 10, "top": [{"word": "the", ...}]}

Words are runs of ASCII letters and digits, compared case-insensitively; ties in count are
broken alphabetically. Bad input is an error on stderr and exit status 2.
"""
import json
import re
import sys
from collections import Counter


def main(path):
    try:
        with open(path, encoding="utf-8") as f:
            task = json.load(f)
    except OSError as e:
        sys.exit(f"wordcount: cannot open {path} ({e.strerror}); pass it with --file HOST:{path}")
    except json.JSONDecodeError as e:
        print(f"wordcount: {path} is not JSON: {e}", file=sys.stderr)
        sys.exit(2)
    if not isinstance(task, dict) or not isinstance(task.get("text"), str):
        print('wordcount: the task has no "text"', file=sys.stderr)
        sys.exit(2)

    words = [w.lower()[:63] for w in re.findall(r"[A-Za-z0-9]+", task["text"])]
    counts = sorted(Counter(words).items(), key=lambda item: (-item[1], item[0]))
    top = [{"word": w, "count": n} for w, n in counts[: int(task.get("top", 5))]]
    print(json.dumps({"words": len(words), "unique": len(counts), "top": top}))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/input/task.json")
