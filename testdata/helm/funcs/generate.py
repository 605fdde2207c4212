#!/usr/bin/env python3
"""Renders template-function calls with the real Helm SDK and records what Helm printed.

Writes cases.json next to this file: for each case the function, its arguments (typed, so the
Rust test can rebuild them as template values) and Helm's output, or Helm's error message.
Run with a virtualenv that has helm-python-sdk (see ../../../../shared/peers.md):

    /tmp/venv-funcs/bin/python testdata/helm/funcs/generate.py

Argument encoding (also read by tests/helm_funcs_sdk.rs):
  {"s": "x"} string, {"i": 1} int, {"f": 1.5} float64, {"b": true} bool, null nil,
  {"l": [...]} list (built with `list`), {"d": [[k, v], ...]} dict (built with `dict`),
  {"c": ["func", arg, ...]} the result of another call.
"""

import json
import os
import shutil
import sys
import tempfile

import helm_python as helm

HERE = os.path.dirname(os.path.abspath(__file__))


def S(x):
    return {"s": x}


def I(x):
    return {"i": x}


def F(x):
    return {"f": x}


def B(x):
    return {"b": x}


N = None


def L(*xs):
    return {"l": list(xs)}


def D(*pairs):
    return {"d": [[k, v] for k, v in pairs]}


def C(f, *args):
    return {"c": [f, *args]}


def go_string(s):
    out = '"'
    for ch in s:
        if ch == '"':
            out += '\\"'
        elif ch == "\\":
            out += "\\\\"
        elif ch == "\n":
            out += "\\n"
        elif ch == "\t":
            out += "\\t"
        elif ch == "\r":
            out += "\\r"
        elif ord(ch) < 0x20:
            out += "\\x%02x" % ord(ch)
        else:
            out += ch
    return out + '"'


def arg(a):
    if a is None:
        return "nil"
    (k, v), = a.items()
    if k == "s":
        return go_string(v)
    if k == "i":
        return str(v)
    if k == "f":
        r = repr(float(v))
        assert any(c in r for c in ".e"), r
        return r
    if k == "b":
        return "true" if v else "false"
    if k == "l":
        return "(list" + "".join(" " + arg(x) for x in v) + ")"
    if k == "d":
        return "(dict" + "".join(" " + go_string(kk) + " " + arg(vv) for kk, vv in v) + ")"
    if k == "c":
        return "(" + call(v[0], v[1:]) + ")"
    raise ValueError(a)


def call(f, args):
    return f + "".join(" " + arg(a) for a in args)


CASES = []


def case(f, *args):
    CASES.append({"func": f, "args": list(args)})


# --- Go built-ins and fmt ----------------------------------------------------------------------
for fmt, args in [
    ("%v", [F(1e6)]), ("%v", [F(3.0)]), ("%v", [F(0.5)]), ("%v", [F(12345678.0)]),
    ("%v", [F(123456.0)]), ("%v", [F(0.0001)]), ("%v", [F(0.00001)]), ("%v", [F(1e21)]),
    ("%v", [F(0.1 + 0.2)]), ("%v", [F(-2.5)]), ("%d", [I(42)]), ("%5d|%-5d|%05d", [I(42), I(42), I(-42)]),
    ("%+d % d", [I(5), I(5)]), ("%x %X %o %b %#x %#o", [I(255), I(255), I(8), I(5), I(255), I(8)]),
    ("%.3d", [I(7)]), ("%c %q %U %#U", [I(65), I(65), I(0x1F600), I(65)]), ("%q", [S('a"b\n')]),
    ("%#q", [S("ab")]), ("%x % X", [S("hi"), S("hi")]), ("%.2s|%6s|%-6s|", [S("hello"), S("ab"), S("ab")]),
    ("%f %.2f %e %g", [F(3.25159), F(3.25159), F(1234.5678), F(1e7)]),
    ("%8.3f|%-8.2f|%08.3f", [F(3.25159), F(2.5), F(-3.25159)]),
    ("%.3g %.10g %g", [F(1234.5678), F(1234.5678), F(100000.0)]), ("%t %v", [B(True), B(False)]),
    ("%v %v", [L(S("a"), I(1)), N]), ("100%%", []), ("%*d|%-*d", [I(4), I(1), I(3), I(2)]),
    ("%[2]s %[1]s", [S("a"), S("b")]), ("%T %T %T %T", [S("a"), F(1.0), L(), D()]),
    ("%d", [S("x")]), ("%s", [I(5)]), ("%d", [F(1.5)]), ("%d", [N]), ("%d %d", [I(1)]),
    ("%d", [I(1), S("a"), I(2)]), ("%z", [I(1)]), ("%s", [L(S("a"), I(1))]), ("%v", [D(("a", I(1)), ("b", L(S("x"), N)))]),
    ("%+v %05s", [I(5), S("ab")]), ("%6.2f|%-+7.1e|%G", [F(2.0 / 3), F(12345.678), F(1e-7)]),
    ("%#v", [F(1.0)]), ("%e", [F(0.0)]), ("%.0f %.0f %.1f", [F(0.5), F(1.5), F(0.25)]),
    ("%q", [I(10)]), ("%x", [I(-255)]), ("%08.3d", [I(5)]), ("%-08d|", [I(5)]),
    ("%x %X %b", [F(1.5), F(-0.1), F(8.0)]), ("%5.1f|%-10v|%10v|", [I(3), L(I(1), L(S("a"))), D(("k", F(1.5)))]),
    ("%s", [L(L(S("a"), I(1)), D(("k", N)))]), ("%d", [L(I(1), F(2.5), S("x"))]), ("%q", [L(S("a"), S("b"))]),
    ("%v|%s", [C("semver", S("1.2.3")), C("semver", S("1.2.3"))]), ("%6.2v|%.3v", [F(3.14159e10), S("abcdef")]),
    ("%+.2e|% .3g|%+q", [F(12345.6789), F(0.000012345), S("héllo")]), ("%#x|%#X", [S("hi"), I(255)]),
    ("%o|%O|%#b", [I(64), I(64), I(5)]), ("%U|%c", [I(-1), I(0x110000)]), ("%t", [S("x")]), ("%!", []),
    ("%[2]*[1]d|", [I(12), I(5)]), ("%.*f", [I(2), F(3.14159)]), ("%-*s|", [I(-4), S("a")]), ("%[0]d", [I(1)]),
    ("%v %v", [F(float(2**53)), F(1e-320)]), ("%g|%G", [F(1e21), F(1e-5)]), ("%.0e|%#.0e|%#g", [F(5.0), F(5.0), F(1.0)]),
]:
    case("printf", S(fmt), *args)
case("print", S("a"), I(1), I(2), S("b"), N, F(1.5))
case("println", S("a"), I(1))
case("len", S("héllo"))
case("len", L(I(1), I(2)))
case("index", L(S("a"), S("b")), I(1))
case("index", D(("k", L(S("x"), S("y")))), S("k"), I(1))
case("index", D(("k", I(1))), S("zz"))
case("index", L(S("a")), I(3))
case("eq", I(1), I(2), I(1))
case("eq", S("a"), S("b"))
case("eq", I(1), F(1.0))
case("ne", S("a"), S("b"))
case("lt", I(1), I(2))
case("le", F(2.0), F(2.0))
case("gt", S("b"), S("a"))
case("ge", I(1), I(2))
case("lt", N, I(1))
case("not", S(""))
case("html", S("<a href=\"x\">'&'</a>"))
case("js", S("a'b\"<=>\n&é\u2028"))
case("urlquery", S("a b&c=d/é~"))

# --- strings -------------------------------------------------------------------------------
for f, args in [
    ("upper", [S("abc é")]), ("lower", [S("ABC É")]), ("upper", [S("straße ﬀ ǆ")]), ("lower", [S("ΟΔΟΣ İ")]),
    ("title", [S("ǆemal straße ñu")]), ("swapcase", [S("ǅ ß Σ")]), ("trim", [S("\u00a0\u2003x\u3000")]), ("title", [S("hello wORLD-x_y it's")]),
    ("untitle", [S("Hello World")]), ("trim", [S("  \t x y \n")]), ("trimAll", [S("$"), S("$5.00$")]),
    ("trimSuffix", [S("-"), S("a-")]), ("trimPrefix", [S("-"), S("-a")]), ("trunc", [I(3), S("abcdef")]),
    ("trunc", [I(-2), S("abcdef")]), ("trunc", [I(63), S("abc")]), ("substr", [I(1), I(3), S("abcdef")]),
    ("substr", [I(2), I(-1), S("abcdef")]), ("substr", [I(-1), I(2), S("abcdef")]), ("repeat", [I(3), S("ab")]),
    ("nospace", [S(" a b\tc ")]), ("initials", [S("first try  now")]), ("swapcase", [S("This Is É")]),
    ("snakecase", [S("FirstName")]), ("snakecase", [S("HTTPServer")]), ("snakecase", [S("NoHTTPS")]),
    ("snakecase", [S("GO_PATH")]), ("snakecase", [S("GO PATH")]), ("snakecase", [S("GO-PATH")]),
    ("snakecase", [S("Bld4Floor")]), ("snakecase", [S("HTTP2xx")]), ("snakecase", [S("aB.cD")]),
    ("snakecase", [S("simple")]), ("snakecase", [S("A1B2")]), ("snakecase", [S("  lead")]),
    ("kebabcase", [S("FirstName")]), ("kebabcase", [S("foo bar-Baz")]), ("kebabcase", [S("myHTTPRequest")]),
    ("camelcase", [S("http_server")]), ("camelcase", [S("HTTP_SERVER")]), ("camelcase", [S("foo-bar baz_qux")]),
    ("camelcase", [S("aBC_dEF")]), ("camelcase", [S("a__b")]), ("camelcase", [S("ab_")]), ("camelcase", [S("_a")]),
    ("camelcase", [S("fooBAR_x")]), ("camelcase", [S("HTTPServer_x")]), ("camelcase", [S("ABC1_def")]),
    ("wrap", [I(5), S("Hello World")]), ("wrap", [I(10), S("a verylongwordhere b c")]),
    ("wrapWith", [I(5), S("\t"), S("Hello World")]), ("wrapWith", [I(3), S("|"), S("abcdefgh ij")]),
    ("abbrev", [I(5), S("hello world")]), ("abbrev", [I(3), S("hello")]), ("abbrevboth", [I(5), I(10), S("1234 5678 9123")]),
    ("contains", [S("cat"), S("catch")]), ("hasPrefix", [S("ca"), S("cat")]), ("hasSuffix", [S("at"), S("cat")]),
    ("quote", [S('a"b\\'), N, I(1), F(1.5)]), ("squote", [S("a"), I(2)]), ("cat", [S("a"), I(1), N, S("b")]),
    ("indent", [I(2), S("a\nb\n")]), ("nindent", [I(4), S("a\nb")]), ("replace", [S("a"), S("b"), S("aaa")]),
    ("replace", [S(""), S("-"), S("ab")]), ("plural", [S("one"), S("many"), I(1)]), ("plural", [S("one"), S("many"), I(2)]),
    ("split", [S("$"), S("foo$bar$baz")]), ("splitn", [S("$"), I(2), S("foo$bar$baz")]), ("splitList", [S(","), S("a,,b")]),
    ("splitList", [S(""), S("abc")]), ("join", [S("-"), L(S("a"), I(1), N, F(2.5))]), ("join", [S(","), S("single")]),
    ("sortAlpha", [L(S("b"), S("a"), S("C"), I(10), I(9))]), ("toString", [F(1.5)]), ("toString", [N]), ("toString", [L(I(1))]),
    ("toStrings", [L(I(1), S("a"), N, F(2.0))]), ("hello", []),
    ("base", [S("/a/b.txt")]), ("base", [S("/")]), ("base", [S("")]), ("dir", [S("/a/b.txt")]), ("dir", [S("b.txt")]),
    ("clean", [S("a//b/../c/.")]), ("clean", [S("/../a")]), ("clean", [S("")]), ("ext", [S("a/b.tar.gz")]),
    ("ext", [S("a.b/c")]), ("isAbs", [S("/x")]), ("osBase", [S("a/b")]),
    ("urlParse", [S("https://u:p@host.com:80/p/x?q=1#f")]), ("urlParse", [S("mailto:a@b.c")]),
    ("urlJoin", [D(("scheme", S("https")), ("host", S("h.io")), ("path", S("/a")), ("query", S("x=1")))]),
]:
    case(f, *args)

# --- conversions, defaults, reflection -------------------------------------------------------
for f, args in [
    ("atoi", [S("42")]), ("atoi", [S("-3")]), ("atoi", [S("0x1")]), ("atoi", [S("4 2")]), ("int", [S("0x10")]),
    ("int", [S("010")]), ("int", [S("12.00")]), ("int", [S("12.5")]), ("int", [F(3.9)]), ("int", [B(True)]),
    ("int64", [S("-7")]), ("float64", [S("1.5")]), ("float64", [S("x")]), ("float64", [I(3)]), ("toDecimal", [S("0777")]),
    ("toDecimal", [I(777)]), ("toDecimal", [S("9")]),
    ("default", [S("d"), S("")]), ("default", [S("d"), S("x")]), ("default", [S("d"), I(0)]), ("default", [S("d"), L()]),
    ("default", [S("d"), B(False)]), ("default", [S("d")]), ("empty", [D()]), ("empty", [F(0.0)]), ("empty", [S(" ")]),
    ("coalesce", [N, S(""), I(0), S("x"), S("y")]), ("coalesce", [N, S("")]), ("all", [S("a"), I(1)]), ("all", [S("a"), I(0)]),
    ("any", [S(""), I(0), L(I(1))]), ("ternary", [S("y"), S("n"), B(True)]), ("ternary", [S("y"), S("n"), B(False)]),
    ("typeOf", [S("x")]), ("typeOf", [F(1.0)]), ("typeOf", [L()]), ("typeOf", [D()]), ("typeOf", [N]),
    ("typeIs", [S("string"), S("x")]), ("typeIsLike", [S("*string"), S("x")]), ("kindOf", [L()]), ("kindOf", [D()]),
    ("kindOf", [S("x")]), ("kindOf", [N]), ("kindIs", [S("map"), D()]), ("kindIs", [S("float64"), F(1.0)]),
    ("deepEqual", [L(I(1), D(("a", S("b")))), L(I(1), D(("a", S("b"))))]), ("deepEqual", [I(1), F(1.0)]),
    ("deepCopy", [D(("a", L(I(1))))]),
]:
    case(f, *args)

# --- math ------------------------------------------------------------------------------------
for f, args in [
    ("add", [I(1), F(2.7), S("3")]), ("add1", [I(1)]), ("sub", [I(1), I(3)]), ("div", [I(7), I(2)]), ("div", [I(-7), I(2)]),
    ("mod", [I(-7), I(3)]), ("mul", [I(2), I(3), I(4)]), ("max", [I(2), I(9), I(4)]), ("min", [I(2), I(9), I(-4)]),
    ("biggest", [I(1), I(5)]), ("addf", [F(0.1), F(0.2)]), ("subf", [F(1.0), F(0.9)]), ("mulf", [F(1.1), I(3)]),
    ("divf", [I(1), I(3)]), ("divf", [F(2.0), F(3.0)]), ("divf", [I(10), I(4), I(5)]), ("add1f", [F(1.5)]),
    ("addf", [F(1e20), F(1.0)]), ("mulf", [F(0.1), F(0.1), F(0.1)]),
    ("floor", [F(1.5)]), ("floor", [F(-1.5)]), ("ceil", [F(1.2)]), ("round", [F(3.25159), I(2)]), ("round", [F(2.5), I(0)]),
    ("round", [F(-2.5), I(0)]), ("round", [F(1.2345), I(3), F(0.3)]), ("maxf", [F(1.5), I(3)]), ("minf", [F(1.5), I(3)]),
    ("until", [I(3)]), ("until", [I(-2)]), ("untilStep", [I(0), I(10), I(4)]), ("untilStep", [I(10), I(0), I(-3)]),
    ("untilStep", [I(0), I(10), I(-1)]), ("seq", [I(3)]), ("seq", [I(0)]), ("seq", [I(-2)]), ("seq", [I(2), I(-2)]),
    ("seq", [I(0), I(3), I(9)]), ("seq", [I(9), I(3), I(0)]), ("seq", [I(9), I(-3), I(0)]), ("seq", []),
]:
    case(f, *args)

# --- lists and dicts -------------------------------------------------------------------------
abc = L(S("a"), S("b"), S("c"))
m = D(("a", I(1)), ("b", D(("c", S("x")))))
for f, args in [
    ("list", [I(1), S("a"), N]), ("first", [abc]), ("last", [abc]), ("rest", [abc]), ("initial", [abc]), ("first", [L()]),
    ("rest", [L()]), ("append", [abc, S("d")]), ("push", [L(), I(1)]), ("prepend", [abc, S("z")]), ("reverse", [abc]),
    ("chunk", [I(2), abc]), ("chunk", [I(5), L()]), ("concat", [abc, L(I(1)), L()]), ("uniq", [L(I(1), I(1), S("1"), L(I(1)), L(I(1)))]),
    ("without", [abc, S("b"), S("z")]), ("has", [S("b"), abc]), ("has", [I(1), N]), ("compact", [L(S(""), I(0), S("x"), N, L(), B(False))]),
    ("slice", [abc, I(1)]), ("slice", [abc, I(1), I(2)]), ("slice", [abc]), ("slice", [L()]), ("mustFirst", [abc]),
    ("dict", [S("k"), I(1), S("odd")]), ("dict", [I(1), S("int key")]), ("get", [m, S("a")]), ("get", [m, S("zz")]),
    ("set", [m, S("z"), I(9)]), ("unset", [m, S("a")]), ("hasKey", [m, S("b")]), ("sortAlpha", [C("keys", m)]), ("values", [D(("only", L(I(1))))]),
    ("keys", [D(("k", I(1)))]),
    ("pick", [m, S("a"), S("nope")]), ("omit", [m, S("a")]), ("pluck", [S("a"), m, D(("a", I(2))), D()]),
    ("dig", [S("b"), S("c"), S("def"), m]), ("dig", [S("b"), S("q"), S("def"), m]), ("dig", [S("zz"), S("def"), m]),
    ("merge", [D(("a", I(0)), ("keep", S("k")), ("f", B(False)), ("n", D(("x", I(1))))),
               D(("a", I(5)), ("keep", S("other")), ("f", B(True)), ("n", D(("y", I(2)), ("x", I(9)))), ("new", B(True)))]),
    ("mergeOverwrite", [D(("a", I(0)), ("keep", S("k")), ("l", L(I(1))), ("n", D(("x", I(1))))),
                        D(("a", I(5)), ("keep", S("other")), ("l", L(I(2))), ("n", D(("y", I(2)), ("x", I(9)))), ("z", N))]),
    ("merge", [D(("l", L(I(1))), ("e", S(""))), D(("l", L(I(2))), ("e", S("filled"))), D(("x", S("third")))]),
    ("mergeOverwrite", [D(("a", S("x"))), D(("a", S("")))]),
    ("merge", [D(("m", D())), D(("m", D(("x", I(1)))))]),
    ("merge", [D(("m", S("scalar"))), D(("m", D(("x", I(1)))))]),
    ("mergeOverwrite", [D(("m", S("scalar"))), D(("m", D(("x", I(1)))))]),
    ("mergeOverwrite", [D(("m", D(("x", I(1))))), D(("m", S("scalar")))]),
    ("mergeOverwrite", [D(("m", D(("x", I(1))))), D(("m", D()))]),
    ("merge", [D(("a", N)), D(("a", S("filled")))]),
    ("merge", [D(("a", S("keep"))), D(("a", N))]),
    ("mergeOverwrite", [D(("l", L(I(1), I(2)))), D(("l", L()))]),
    ("merge", [D(("l", L())), D(("l", L(I(3))))]),
    ("mergeOverwrite", [D(("a", I(1)), ("n", D(("d", D(("e", I(1))))))), D(("n", D(("d", D(("f", I(2)))))))]),
    ("merge", [D(), D(("a", I(1))), D(("a", I(2)), ("b", I(3)))]),
    ("mergeOverwrite", [D(), D(("a", I(1))), D(("a", I(2)), ("b", I(3)))]),
]:
    case(f, *args)

# --- regex -----------------------------------------------------------------------------------
for f, args in [
    ("regexMatch", [S("^[a-z]+$"), S("abc")]), ("regexMatch", [S("("), S("x")]), ("mustRegexMatch", [S("a"), S("cat")]), ("regexMatch", [S("[0-9]"), S("abc")]),
    ("regexFindAll", [S("a.?"), S("abacad"), I(-1)]), ("regexFindAll", [S("a.?"), S("abacad"), I(2)]),
    ("regexFindAll", [S("a*"), S("baaac"), I(-1)]), ("regexFind", [S("[0-9]+"), S("ab12cd34")]),
    ("regexFind", [S("z"), S("abc")]), ("regexReplaceAll", [S("a(x*)b"), S("-ab-axxb-"), S("${1}W")]),
    ("regexReplaceAll", [S("a(x*)b"), S("-ab-axxb-"), S("$1W")]), ("regexReplaceAll", [S("(?P<n>[a-z]+)-(\\d+)"), S("ab-12 cd-3"), S("$2.$n")]),
    ("regexReplaceAllLiteral", [S("a(x*)b"), S("-ab-axxb-"), S("$1")]), ("regexReplaceAll", [S("x*"), S("abc"), S("-")]),
    ("regexSplit", [S("z+"), S("pizza"), I(-1)]), ("regexSplit", [S("z+"), S("pizza"), I(1)]), ("regexSplit", [S(""), S("abc"), I(-1)]),
    ("regexSplit", [S("a"), S("banana"), I(2)]), ("regexQuoteMeta", [S("1.2.3+x[y]")]),
]:
    case(f, *args)

# --- semver ----------------------------------------------------------------------------------
for c, v in [
    (">=1.19-0", "v1.30.0"), (">=1.19-0", "v1.30.0-eks-1"), (">=1.19", "v1.30.0-eks-1"), (">=1.19", "v1.30.0"),
    ("<1.19-0", "v1.30.0"), (">=1.16.0-0, <1.25.0-0", "1.20.3"), (">=1.16.0-0 <1.25.0-0", "1.25.0"),
    ("<1.14 || >=1.20", "1.21.0"), ("1.2 - 1.4.5", "1.4.5"), ("1.2 - 1.4.5", "1.4.6"), ("~1", "1.5.0"),
    ("~1.2", "1.2.9"), ("~1.2", "1.3.0"), ("~1.2.3", "1.2.2"), ("^0", "0.5.0"), ("^1.2", "1.9.0"), ("^1.2", "2.0.0"),
    ("^0.2.3", "0.3.0"), ("^0.2.3", "0.2.9"), ("^0.0.3", "0.0.4"), ("1", "1.5.0"), ("1.2.x", "1.2.7"), ("*", "3.0.0"),
    (">1.2", "1.2.5"), (">1.2", "1.3.0"), ("!=1.2.3", "1.2.4"), ("!=1.2.x", "1.2.4"), ("> 1.2.3", "1.2.4"),
    ("<=1.2", "1.2.9"), ("<=1.2.3", "1.2.4"), (">=1.2.3-alpha.1", "1.2.3-alpha.10"), (">=1.2.3-beta", "1.2.3-alpha"),
    ("=1.2.3", "v1.2.3+build"), ("", "1.0.0"), (">=1.0.0", "1.0"), ("~> 2.1", "2.1.5"), ("=> 1.0", "1.1.0"),
    (">= 1.21.0-0", "v1.33.1+k3s1"), ("<1.22.0-0", "v1.21.14-gke.2100"),
    ("^1.2.3-beta", "1.2.3-beta.2"), ("^1.2.3-beta", "1.3.0-beta"), ("~1.2.3-beta", "1.2.4"), ("~1.2.3-beta", "1.2.3-alpha"),
    (">= 1.2, < 3.0.0 || >= 4.2.3", "4.3.0"), (">= 1.2, < 3.0.0 || >= 4.2.3", "3.1.0"), ("1.2.3 - 2.3.4", "2.3.4-rc1"),
    ("1.2.3-0 - 2.3.4", "2.0.0-rc1"), ("x", "0.0.1"), ("1.x", "1.9.9"), ("1.x", "2.0.0"), ("v1.2", "1.2.5"), (">=v1.2", "1.3.0"),
    ("1.2.*", "1.2.9"), ("<2.x", "1.9.0"), ("<2.x", "2.1.0"), (">2.x", "3.0.0"), (">2.x", "2.5.0"), ("<=2.x", "2.9.0"),
    ("^0.0", "0.0.9"), ("^0.0", "0.1.0"), ("^0.x", "0.9.0"), ("~0", "0.9.0"), ("~0.0", "0.0.5"), ("~1.x", "1.5.0"),
    (">1.2.3-alpha", "1.2.3-beta"), ("<1.2.3-alpha", "1.2.3"), ("=1.2.3-0", "1.2.3-0"), ("!=1.2.3-0", "1.2.3"),
    (">=1.19.0-0", "1.19.0"), ("<=1.19.0-0", "1.19.0-0"), (">=1.8-0 <1.19.x-0", "1.18.3"), ("1.2.3 ||", "1.2.3"),
    (">=1.0.0-rc.1", "1.0.0-rc.1.1"), (">=1.0.0-rc.10", "1.0.0-rc.9"), (">=1.0.0-alpha.beta", "1.0.0-alpha.1"),
    (">=1.2", "v1.2.0+meta"), ("=1.2.3+meta", "1.2.3"), (">= 1.13", "1.13.0-gke.0"), ("< 1.13.0-0", "v1.12.10-eks-ffbd96"),
    ("1.2.3", "01.2.3"), (">=1.2.3", "1.2.3.4"), (">=1", "1"), ("~>1.2.3", "1.2.9"), ("^1.2.x", "1.9.0"), ("=>1.2 =<1.4", "1.3.0"),
    (">=1.0.0-0, <=2.0.0", "1.5.0-rc"), ("<=2.0.0 || >=3.0.0-0", "1.5.0-rc"), ("<=2.0.0 >=1.0.0", "1.5.0-rc"),
    ("!=1.2.3 >=1.0.0-0", "1.5.0-rc"), ("~1.5.0-0", "1.5.3-rc"),
]:
    case("semverCompare", S(c), S(v))
case("semver", S("v1.2.3-rc.1+b"))
case("semver", S("1.2"))

# --- encodings -------------------------------------------------------------------------------
for f, args in [
    ("b64enc", [S("hello wörld")]), ("b64dec", [S("aGVsbG8=")]), ("b64dec", [S("a!")]), ("b64dec", [S("aGVsbG8")]),
    ("b32enc", [S("hello")]), ("b32dec", [S("NBSWY3DP")]), ("sha1sum", [S("a")]), ("sha256sum", [S("hello")]),
    ("sha512sum", [S("a")]), ("adler32sum", [S("Wikipedia")]),
]:
    case(f, *args)

# --- JSON ------------------------------------------------------------------------------------
j = D(("b", L(I(1), F(1.5), N, F(1e21), F(1e-7), F(1e6))), ("a", S("<x&y> \u2028")), ("c", D()), ("e", L()))
for f in ["toJson", "toRawJson", "toPrettyJson", "mustToJson", "mustToRawJson", "mustToPrettyJson"]:
    case(f, j)
case("toJson", S("tab\there"))
case("toJson", N)
for s in ['{"a":1,"b":[true,"x",null]}', "[1]", "{", "null", '{"n": 12345678901}']:
    case("fromJson", S(s))
for s in ["[1,2]", "{}", "x"]:
    case("fromJsonArray", S(s))
case("mustFromJson", S('"x"'))
case("mustFromJson", S("[1, {\"a\": 2}]"))

# --- YAML / TOML -----------------------------------------------------------------------------
scalars = ["true", "1", "1.0", "null", "~", "", "yes", "on", "0x1F", "1e3", "1:20", "2001-12-14", "-1", ".5",
           "abc", "a b", "1.2.3", "v1", "-a", "a-b", "http://x", "1 2", "08x", "- a", "*x", "it's", "'q", "x: y",
           "a #b", "a#b", "#a", "a\nb", "a\n", " a\nb", "a \nb", "t\tx", "a\n\nb\n\n", " lead", "trail ", "@x", "%x",
           "!x", "&x", "|x", ">x", "? x", "?x", ":x", "x:", "[x", "{x", "0", "-0", "+1", "0o17", "0b101", "1_000",
           "2001-12-14T21:59:43.10-05:00", "2001-12-14 21:59:43.10", "12:30:45", "NaN", ".inf", "-.Inf", "Y", "n",
           "<<", "=", "null ", "é", "a\u00a0b", "x\u0085y", "---", "...", "--- x", "a: b: c", "08", "09.5", "1e", "0x",
           "3.", "+.5", "1.5e+3", "Off", "NO", "TRUE", "tRUE"]
for s in scalars:
    case("toYaml", S(s))
long_words = " ".join(["word%02d" % i for i in range(30)])
for v in [
    D(("a", F(3.0)), ("b", F(1e21)), ("c", F(0.000001)), ("d", N), ("e", L()), ("f", D()), ("g", F(12345678.0)),
      ("h", F(1e20)), ("i", F(1e19)), ("j", F(1.5)), ("k", I(-3)), ("l", B(True))),
    D(("n", L(L(I(1), I(2)), D(("a", I(1)), ("b", I(2))), L(), D(), S("s")))),
    D(("k", S("aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss tttt"))),
    D(("x", D(("yy", D(("z", S("multi\nline"))))))),
    D(("a10", I(1)), ("a2", I(1)), ("b", I(1)), ("A", I(1)), ("_x", I(1)), ("a_b", I(1)), ("ab", I(1)), ("1", I(1)),
      ("10", I(1)), ("9", I(1)), ("~a", I(1)), ("a~", I(1)), ("a01", I(1)), ("a1", I(1)), ("é", I(1))),
    D(("long", S(long_words)), ("quoted", S("'" + long_words)), ("dq", S("\t" + long_words)),
      ("nested", D(("deeper", D(("text", S(long_words))))))),
    L(D(("name", S("x")), ("ports", L(D(("p", I(80))), D(("p", I(443))))))),
    D(("key with spaces", S("v")), ("true", S("t")), ("", S("empty key")), ("multi\nline key", I(1))),
    D(("list", L(S("a\nb"), S(""), N, L()))),
    D(("annotations", D(("checksum/config", S("abc")), ("x.io/y", S("-1"))))),
    L(), D(), N, F(1.0), I(7), B(False),
]:
    case("toYaml", v)
    case("toYamlPretty", v)
long_key = "k" * 130
words2 = " ".join(["w%d" % i for i in range(40)])
for v in [
    D((long_key, S("v"))),
    D(("a: b", S("x")), ("#c", S("y")), ("- d", S("z"))),
    D(("s", S("\ufeffbom")), ("e", S("😀 emoji")), ("z", S("zero\u200bwidth")), ("c", S("ctl\x01x"))),
    D(("w", S("x" * 100))),
    D(("m", S("a  b  " + words2))),
    L(L(S(words2)), D(("deep", L(S(words2))))),
    D(("q", S("it's " + words2)), ("d", S("\t" + words2 + "  end"))),
    D(("lit", S("line one\n  indented\n\ttab\nlast"))),
    D(("trail", S("keep\n\n"))),
    S(words2),
    L(S("a"), I(1), F(1.5), N, B(True)),
]:
    case("toYaml", v)
    case("toYamlPretty", v)
case("toYaml", D(("f", C("float64", S("NaN")))))
case("mustToYaml", D(("a", L(I(1)))))
for s in ["a: 1\nb: [x, true]\nc:\n  d: null\n", "- 1\n- b", "", "x", "a: [", "n: 1.5e3\nm: 0x10\nk: yes"]:
    case("fromYaml", S(s))
for s in ["- 1\n- b: 2", "a: 1", ""]:
    case("fromYamlArray", S(s))
for s in ["d: 2001-12-14\nb: 0b101\no: 0o17\nx: 0x1F\nbig: 12345678901234567890\nf: .5\nnn: ~\ne: \"\"\ns: !!str 123\nt: 1_000\noct: 010",
          "a: &x {k: 1}\nb: *x\nc:\n  <<: *x\n  j: 2", "a: 1\n---\nb: 2", "1: one\n2.5: two\ntrue: three",
          "a: 1\na: 2", "inf: .inf", "k: 'single'\nl: >\n  folded\n  text\nm: |\n  lit\n", "on: yes\noff: no\ny: n"]:
    case("fromYaml", S(s))
for v in [
    D(("x", I(1)), ("s", S('a"b')), ("a", D(("y", F(2.5)), ("b", D(("z", L(I(1), I(2))))))), ("l", L(D(("q", I(1)))))),
    D(("a", F(3.0)), ("b", F(1e21)), ("c", F(0.000001)), ("d", N), ("e", L()), ("f", L(D(("x", I(1))), I(2))),
      ("g h", S("t\tx")), ("i", B(True))),
    D(("t", D(("u", D())))),
]:
    case("toToml", v)

for s in ['a = 1\nb = [1.5, "x"]\n[t]\nd = 1979-05-27T07:32:00Z\ne = true', "[[x]]\ny = 1", "", 'k = "v"\n[a.b]\nc = -2']:
    case("fromToml", S(s))
case("mustToToml", D(("a", I(1)), ("b", D(("c", S("x"))))))
case("typeOf", C("get", C("fromToml", S("a = 1")), S("a")))

for f in ["toJson", "toYaml", "kindOf", "typeOf"]:
    case(f, C("semver", S("v1.2.3-rc.1+b")))
    case(f, C("toDate", S("2006-01-02T15:04:05Z07:00"), S("2024-02-29T13:14:15.5+01:00")))
case("toYaml", D(("when", C("toDate", S("2006-01-02"), S("2024-03-05"))), ("v", C("semver", S("1.2")))))

# --- dates and deterministic stand-ins: shapes only -------------------------------------------
for f, args in [
    ("date", [S("2006-01-02T15:04:05Z07:00 Mon Jan _2 3PM .000 002"), I(0)]), ("date", [S("02/01/06 15h04"), I(1700000000)]),
    ("htmlDate", [I(86400)]), ("dateInZone", [S("2006-01-02 15:04 MST"), I(0), S("UTC")]),
    ("toDate", [S("2006-01-02"), S("2024-03-05")]), ("unixEpoch", [C("toDate", S("2006-01-02"), S("2024-03-05"))]),
    ("toDate", [S("2006-01-02T15:04:05Z07:00"), S("2024-02-29T13:14:15+01:00")]), ("toDate", [S("2006-01-02"), S("bad")]),
    ("dateModify", [S("-1.5h"), C("toDate", S("2006-01-02"), S("2024-03-05"))]),
    ("dateModify", [S("bad"), C("toDate", S("2006-01-02"), S("2024-03-05"))]),
    ("date", [S("Jan 2, 2006 at 3:04pm (MST)"), C("toDate", S("2006-01-02 15:04"), S("2023-07-09 18:05"))]),
    ("duration", [C("int64", I(95))]), ("duration", [S("3600")]), ("duration", [I(95)]), ("durationRound", [S("2h10m5s")]),
    ("durationRound", [S("400h")]), ("durationRound", [S("9000h")]), ("durationRound", [S("-3m")]),
    ("len", [C("randAlphaNum", I(5))]), ("len", [C("randAlpha", I(7))]), ("len", [C("randNumeric", I(3))]),
    ("len", [C("randAscii", I(9))]), ("len", [C("uuidv4")]), ("len", [C("bcrypt", S("x"))]), ("len", [C("htpasswd", S("u"), S("p"))]),
    ("htpasswd", [S("a:b"), S("p")]), ("typeOf", [C("randInt", I(1), I(5))]), ("len", [C("randBytes", I(4))]),
    ("len", [C("shuffle", S("abcdef"))]), ("len", [C("derivePassword", I(1), S("long"), S("password"), S("user"), S("example.com"))]),
    ("typeOf", [C("now")]), ("getHostByName", [S("localhost")]), ("genPrivateKey", [S("nope")]),
    ("decryptAES", [S("pw"), C("encryptAES", S("pw"), S("secret"))]),
    ("len", [C("regexFindAll", S("-----BEGIN RSA PRIVATE KEY-----"), C("genPrivateKey", S("rsa")), I(-1))]),
]:
    case(f, *args)

# --- errors --------------------------------------------------------------------------------
for f, args in [
    ("div", [I(1), I(0)]), ("first", [S("x")]), ("push", [I(1), S("x")]), ("upper", [I(1)]), ("index", [N, I(0)]),
    ("regexFind", [S("("), S("x")]), ("semverCompare", [S(">=x.y"), S("1.0.0")]), ("semverCompare", [S(">=1.0"), S("one")]),
    ("mustToJson", [C("float64", S("+Inf"))]), ("mustFromJson", [S("{")]), ("slice", [S("abc"), I(1)]), ("concat", [L(), S("x")]),
    ("repeat", [I(-1), S("x")]), ("ternary", [I(1), I(2), S("x")]), ("dig", [S("a"), D()]), ("until", [C("float64", I(3))]),
    ("mustRegexFind", [S("[")]), ("get", [S("x"), S("k")]), ("add1", []), ("chunk", [I(0), L(I(1))]),
]:
    CASES.append({"func": f, "args": list(args), "error": True})


def render_template(text):
    d = tempfile.mkdtemp()
    try:
        os.makedirs(os.path.join(d, "templates"))
        with open(os.path.join(d, "Chart.yaml"), "w") as fh:
            fh.write("apiVersion: v2\nname: funcs\nversion: 0.1.0\n")
        with open(os.path.join(d, "templates", "t.yaml"), "w") as fh:
            fh.write(text)
        with helm.Chart.load(d) as chart:
            out = chart.render({}, name="release-name", namespace="default", is_install=True)
        return out["funcs/templates/t.yaml"], None
    except Exception as e:  # noqa: BLE001 - the SDK raises plain exceptions
        return None, str(e)
    finally:
        shutil.rmtree(d)


def main():
    # One case per line; a case that fails the batch is moved to the error cases (the error names
    # its line) and the batch is rendered again.
    import re

    while True:
        ok_cases = [c for c in CASES if not c.get("error")]
        parts = []
        for n, c in enumerate(ok_cases):
            parts.append("<<<%d>>>{{ %s }}<<<end>>>\n" % (n, call(c["func"], c["args"])))
        text, err = render_template("".join(parts))
        if not err:
            break
        m = re.search(r"t\.yaml:(\d+):", err)
        if not m:
            sys.exit("batch render failed: " + err)
        bad = ok_cases[int(m.group(1)) - 1]
        print("error case:", call(bad["func"], bad["args"]))
        bad["error"] = True
    for n, c in enumerate(ok_cases):
        start = text.index("<<<%d>>>" % n) + len("<<<%d>>>" % n)
        end = text.index("<<<end>>>", start)
        c["helm"] = text[start:end]
    for c in CASES:
        if c.get("error"):
            out, err = render_template("{{ %s }}" % call(c["func"], c["args"]))
            if err is None:
                sys.exit("expected an error from %s, got %r" % (call(c["func"], c["args"]), out))
            c["helm_error"] = err
    for c in CASES:
        c["template"] = "{{ %s }}" % call(c["func"], c["args"])
    with open(os.path.join(HERE, "cases.json"), "w") as fh:
        json.dump({"helm": helm.helm_sdk_version(), "cases": CASES}, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    print("%d cases" % len(CASES))


if __name__ == "__main__":
    main()
