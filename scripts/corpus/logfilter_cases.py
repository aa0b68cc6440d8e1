"""CloudWatch Logs filter-pattern cases for tests/corpus/logfilter.jsonl.

Every case is an example from the AWS documentation page "Filter pattern
syntax for metric filters, subscription filters, filter log events, and Live
Tail" (no engine installs here; the page's stated results are the expected
answers). Run: python3 scripts/corpus/logfilter_cases.py tests/corpus
"""
import json
import sys

PAGE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html"
TERMS = f"{PAGE} ('Matching terms in unstructured log events')"
JSON_ = f"{PAGE} ('Using filter patterns to match terms in JSON log events')"
SPACE = f"{PAGE} ('Using filter patterns to match terms in space-delimited log events')"

cases = []


def add(pattern, message, match, source):
    cases.append({"pattern": pattern, "message": message,
                  "expected": "match" if match else "no_match", "source": source})


# Terms
for p, m, want in [
    ("", "anything at all", True), ("", "", True),
    ("ERROR", "[ERROR] A fatal exception has occurred", True),
    ("ERROR", "Exiting with ERRORCODE: -1", True),
    ("ERROR", "error in lower case", False),
    ('"ERROR" - "Exiting"', "Exiting with ERRORCODE: -1", False),
    ('"ERROR" - "Exiting"', "[ERROR] A fatal exception has occurred", True),
    ("ERROR Exception", "[ERROR] Caught IllegalArgumentException", True),
    ("ERROR Exception", "[ERROR] Unhandled Exception", True),
    ("ERROR Exception", "[ERROR] Unhandled failure", False),
    ("Failed to process the request", "[WARN] Failed to process the request", True),
    ("Failed to process the request", "[ERROR] Unable to continue: Failed to process the request", True),
    ('"Failed to process the request"', "[WARN] Failed to process request", False),
]:
    add(p, m, want, TERMS)
# OR across terms and fields
lines = ["ERROR WARN message", "ERROR message", "WARN message"]
for p, wants in [("ERROR", [True, True, False]), ("?ERROR ?WARN", [True, True, True]),
                 ("ERROR WARN", [True, False, False]), ("ERROR -WARN", [False, True, False]),
                 ("[w1=ERROR, w2]", [False, True, False]), ("[w1=ERROR || w1=WARN, w2]", [False, True, True])]:
    for line, want in zip(lines, wants):
        add(p, line, want, f"{PAGE} ('Using OR to match terms')")
for p, m, want in [("{$.foo = bar}", '{"foo": "bar"}', True), ("{$.foo = bar}", '{"foo": "baz"}', False),
                   ("{$.foo = baz }", '{"foo": "baz"}', True),
                   ("{$.foo = bar || $.foo = baz }", '{"foo": "bar"}', True),
                   ("{$.foo = bar || $.foo = baz }", '{"foo": "baz"}', True),
                   ("{$.foo = bar || $.foo = baz }", '{"foo": "qux"}', False)]:
    add(p, m, want, f"{PAGE} ('Using OR to match terms')")
# JSON
DOC_JSON = ('{"eventType":"UpdateTrail","sourceIPAddress":"111.111.111.111","arrayKey":["value","another value"],'
            '"objectList":[{"name":"a","id":1},{"name":"b","id":2}],"SomeObject":null,"ThisFlag":true}')
for p, want in [('{ $.eventType = "UpdateTrail" }', True), ("{ $.eventType = UpdateTrail }", True),
                ('{ $.eventType != "UpdateTrail" }', False), ("{ $.sourceIPAddress != 123.123.* }", True),
                ("{ $.sourceIPAddress = 111.111.* }", True), ('{ $.arrayKey[0] = "value" }', True),
                ('{ $.arrayKey[1] = "value" }', False), ('{ $.eventType[0] = "value" }', False),
                ("{ $.objectList[1].id = 2 }", True), ("{ $.objectList[0].id = 2 }", False),
                ("{ $.SomeObject IS NULL }", True), ("{ $.ThisFlag IS NULL }", False),
                ("{ $.SomeOtherObject NOT EXISTS }", True), ("{ $.SomeObject NOT EXISTS }", False),
                ("{ $.ThisFlag IS TRUE }", True), ("{ $.ThisFlag IS FALSE }", False),
                ('{ $.arrayKey[*] = "another value" }', True), ('{ $.objectList[*].name = "b" }', True)]:
    add(p, DOC_JSON, want, JSON_)
COMPOUND = ('{"user":{"id":1,"email":"John.Stiles@example.com"},"users":[{"id":2,"email":"John.Doe@example.com"},'
            '{"id":3,"email":"Jane.Doe@example.com"}],"actions":["GET","PUT","DELETE"],'
            '"coordinates":[[0,1,2],[4,5,6],[7,8,9]]}')
for p, want in [('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', True),
                ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', False),
                ('{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', True),
                ('{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }', False),
                ("{ $.coordinates[2][0] = 7 }", True)]:
    add(p, COMPOUND, want, f"{PAGE} ('Using compound expressions to match terms in JSON objects')")
NUM = ('{"latency": 1500, "numbers": [5], "errorCode": 400, '
       '"processes": [{}, {}, {}, {}, {"averageRuntime": 50.25}]}')
for p, want in [("{ $.latency >= 500 }", True), ("{ $.numbers[0] < 10e3 }", True), ("{ $.numbers[0] < 10e-3 }", False),
                ("{ $.processes[4].averageRuntime <= 55.5 }", True), ("{ $.errorCode = 400 }", True),
                ("{ $.errorCode != 500 }", True), ("{ $.errorCode != 400 }", False)]:
    add(p, NUM, want, f"{PAGE} ('Using numeric comparisons to match terms in JSON log events')")
for p, m, want in [("{ $.e = *Event }", '{"e":"PutEvent"}', True), ("{ $.e = *Event }", '{"e":"GetEvent"}', True),
                   ("{ $.e = Event* }", '{"e":"EventId"}', True), ("{ $.e = Event* }", '{"e":"EventName"}', True),
                   ("{ $.e = Event* }", '{"e":"PutEvent"}', False), ("{ $.e = Ev*ent }", '{"e":"Event"}', False),
                   ("{ $.e = Ev*ent }", '{"e":"Ev*ent"}', True)]:
    add(p, m, want, f"{JSON_}; wildcards are honoured only at the start or end of a value")
# Space-delimited
APACHE = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
    '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355',
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 534',
]
for p, wants in [
    ("[ip, user, username, timestamp, request, status_code, bytes]", [True] * 4),
    ("[..., status_code, bytes]", [True] * 4), ("[ip, user, ..., status_code, bytes]", [True] * 4),
    ("[ip, user, ...]", [True] * 4), ("[ip, user, username]", [False] * 4),
    ("[ip, user, username, timestamp, request, status_code, bytes > 1000]", [True, True, True, False]),
    ("[ip, user, username, timestamp, request, status_code = 200, bytes]", [True, False, True, False]),
    ("[ip, user, username, timestamp, request, status_code = 4*, bytes]", [False, False, False, True]),
    ("[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", [False, False, False, True]),
    ("[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]", [False, False, False, True]),
    ("[ip, user, username, timestamp, request, status_code = 5* && bytes > 1000, bytes]", [False, True, False, False]),
    ("[..., request=*.html*, status_code=4*,]", [False, False, False, True]),
    ("[..., status_code != 200, bytes]", [False, True, False, True]),
]:
    for line, want in zip(APACHE, wants):
        add(p, line, want, SPACE)

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/corpus"
    with open(f"{out}/logfilter.jsonl", "w") as fh:
        for i, c in enumerate(cases, 1):
            fh.write(json.dumps({"id": f"log-{i:04d}", **c}) + "\n")
    print(f"logfilter: {len(cases)} cases")
