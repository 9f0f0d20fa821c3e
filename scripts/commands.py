#!/usr/bin/env python3
"""scripts/commands.py - the external commands the harness's shell scripts call.

Reads POSIX sh scripts and prints, one per line and sorted, every word that
stands where the shell runs a command: at the start of a line and after
; | & && || ( { $( ` and the keywords (if then do ...), after assignments
and the prefixes env, nice [-n N], timeout [-k N] N, exec and command. The
shell's own words are left out: functions the scripts define, keywords and
the builtins of POSIX sh. What is left must be on PATH after `scripts/deps.sh`
on a fresh machine: scripts/fresh.sh checks each with `command -v` inside a
minimal bookworm root.

Not seen: commands inside strings run by another program (sh -c '...',
awk's system()), commands named by a variable ($CC), and what make runs
(the kernel's Makefiles: rsync in headers_install); fresh.sh runs those
steps for real instead.

Usage: scripts/commands.py FILE...
Exit: 0 listed, 2 bad usage or unreadable file.
"""
import re
import sys

KEYWORDS = {
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "while",
    "until", "do", "done", "in", "!", "{", "}",
}
BUILTINS = {
    ".", ":", "break", "cd", "continue", "echo", "eval", "exec", "exit",
    "export", "false", "getopts", "local", "printf", "pwd", "read",
    "readonly", "return", "set", "shift", "test", "[", "times", "trap",
    "true", "type", "ulimit", "umask", "unset", "wait", "command", "kill",
    "alias", "unalias", "jobs", "fg", "bg", "hash",
}
# Keywords after which the next word is in command position.
CMD_KEYWORDS = {"if", "then", "else", "elif", "do", "while", "until", "!", "{", "time"}
HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2")
WORD = re.compile(r"[A-Za-z0-9_./+@%:,=-]+|\[")
ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def strip_heredocs(text):
    """Drop the bodies of here-documents (they are data, not commands)."""
    out, end, strip_tabs = [], None, False
    for line in text.split("\n"):
        if end is not None:
            if (line.lstrip("\t") if strip_tabs else line) == end:
                end = None
            out.append("")
            continue
        out.append(line)
        m = HEREDOC.search(line)
        if m:
            strip_tabs, end = m.group(1) == "-", m.group(3)
    return "\n".join(out)


def scan(text):
    """Yield (word, is_command_position) for the words of a script."""
    text = strip_heredocs(text)
    i, n = 0, len(text)
    cmd_pos = True      # the next word is a command
    skip_words = None   # after case/for: "case" or "for" until `in`/`do`
    in_pattern = False  # in a case pattern list, until its `)`
    assign_depth = None  # in an assignment's value (at this stack depth)
    stack = []          # '"' while inside double quotes (for $( nesting)
    while i < n:
        c = text[i]
        if stack and stack[-1] == '"':
            if c == "\\":
                i += 2
            elif c == '"':
                stack.pop()
                i += 1
            elif text.startswith("$(", i) and not text.startswith("$((", i):
                stack.append("(")
                cmd_pos = True
                i += 2
            elif c == "`":
                stack.append("`")
                cmd_pos = True
                i += 1
            else:
                i += 1
            continue
        if c == "#" and (i == 0 or text[i - 1] in " \t\n;|&("):
            while i < n and text[i] != "\n":
                i += 1
            continue
        if c == "'":
            j = text.find("'", i + 1)
            i = n if j < 0 else j + 1
            cmd_pos = False
            continue
        if c == '"':
            stack.append('"')
            cmd_pos_before = cmd_pos
            i += 1
            cmd_pos = cmd_pos_before and False
            continue
        if c == "\\" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        if c == "\n":
            cmd_pos = True
            assign_depth = None
            i += 1
            continue
        if text.startswith("$((", i):
            depth, i = 0, i + 1
            while i < n:
                if text[i] == "(":
                    depth += 1
                elif text[i] == ")":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            i += 1
            cmd_pos = False
            continue
        if text.startswith("$(", i):
            stack.append("(")
            cmd_pos = True
            i += 2
            continue
        if text.startswith("${", i):
            stack.append("{")
            i += 2
            cmd_pos = False
            continue
        if c == "}" and stack and stack[-1] == "{":
            stack.pop()
            i += 1
            continue
        if c == "`":
            if stack and stack[-1] == "`":
                stack.pop()
                cmd_pos = False
            else:
                stack.append("`")
                cmd_pos = True
            i += 1
            continue
        if c == ")":
            if in_pattern:
                in_pattern = False
            elif stack and stack[-1] == "(":
                stack.pop()
            cmd_pos = True      # after a case pattern or a subshell
            i += 1
            continue
        if in_pattern:
            if text.startswith("esac", i):
                in_pattern = False
                i += 4
            else:
                i += 1
            continue
        if c in ";|&(":
            cmd_pos = True
            if assign_depth == len(stack):
                assign_depth = None
            if c == ";" and text.startswith(";;", i):
                in_pattern = True
                i += 1
            i += 1
            continue
        if c in " \t" and assign_depth == len(stack):
            assign_depth = None
            cmd_pos = True
            i += 1
            continue
        if c in " \t<>":
            i += 1
            if c in "<>":
                cmd_pos = False
            continue
        if c == "$":
            m = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*|[0-9#?@*!$-])").match(text, i)
            i += len(m.group(0)) if m else 1
            cmd_pos = False
            continue
        m = WORD.match(text, i)
        if not m:
            i += 1
            continue
        w = m.group(0)
        i = m.end()
        if skip_words:
            if w == "in" and skip_words == "case":
                skip_words, in_pattern = None, True
            elif w == "do" or (w == "in" and skip_words == "for"):
                skip_words = None if w == "do" else skip_words
                cmd_pos = w == "do"
            continue
        if not cmd_pos:
            continue
        if w in ("case", "for"):
            skip_words = w
            cmd_pos = False
            continue
        if ASSIGN.match(w):
            # The word after the assignment's value is still a command.
            assign_depth = len(stack)
            cmd_pos = False
            continue
        if w in CMD_KEYWORDS or w in ("exec", "command"):
            continue
        if w in ("env", "nice", "timeout"):
            yield w, True   # commands themselves, and the next word is one
            pre = {"nice": r"\s+-n\s+-?[0-9]+", "timeout": r"(\s+-k\s+[0-9]+)?\s+\S+"}
            m2 = re.compile(pre.get(w, r"")).match(text, i)
            if m2:
                i = m2.end()
            continue
        yield w, True
        cmd_pos = False


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print("usage: scripts/commands.py FILE...", file=sys.stderr)
        return 2
    texts = []
    for path in argv[1:]:
        try:
            with open(path, encoding="utf-8") as f:
                texts.append(f.read())
        except OSError as e:
            print(f"commands.py: error: {path}: {e.strerror}", file=sys.stderr)
            return 2
    functions = set()
    for t in texts:
        functions.update(re.findall(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\)", t, re.M))
    found = set()
    for t in texts:
        for w, _ in scan(t):
            if w in functions or w in KEYWORDS or w in BUILTINS:
                continue
            if not re.match(r"^[a-z][a-z0-9_.+-]*$", w):
                continue
            found.add(w)
    for w in sorted(found):
        print(w)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
