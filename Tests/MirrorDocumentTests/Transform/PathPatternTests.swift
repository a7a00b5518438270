import MirrorDocument
import Testing

/// The pattern grammar of `omit` and `redact` (PROTOCOL.md, "Transforms"), checked through a
/// `redact`: which values of a document one pattern reaches.
@Suite("path patterns")
struct PathPatternTests {
    /// The document redacted by `pattern`, as compact JSON.
    func redacting(_ pattern: String, in document: String) throws -> String {
        try Transform([.redact([PathPattern(pattern)])]).apply(to: TestJSON.parse(document)).text
    }

    @Test(arguments: [
        // RFC 6901 §3: `~1` is `/` and `~0` is `~` within a token.
        ("/a~1b", #"{"a/b":1,"a":{"b":2}}"#, #"{"a/b":"[redacted]","a":{"b":2}}"#),
        ("/m~0n/x", #"{"m~n":{"x":1,"y":2}}"#, #"{"m~n":{"x":"[redacted]","y":2}}"#),
        ("/~01", #"{"~1":1,"/":2,"~/":3}"#, #"{"~1":"[redacted]","/":2,"~/":3}"#),
        ("/", #"{"":1,"a":2}"#, #"{"":"[redacted]","a":2}"#),
        // A pointer names one place: no depth, no wildcard.
        ("/token", #"{"token":1,"a":{"token":2}}"#, #"{"token":"[redacted]","a":{"token":2}}"#),
        ("/*", #"{"*":1,"a":2}"#, #"{"*":"[redacted]","a":2}"#),
        ("/list/1", #"{"list":[0,1,2]}"#, #"{"list":[0,"[redacted]",2]}"#),
        ("/list/-", #"{"list":[0,1]}"#, #"{"list":[0,1]}"#),
        ("/list/01", #"{"list":[0,1]}"#, #"{"list":[0,1]}"#),
    ])
    func pointers(pattern: String, document: String, expected: String) throws {
        #expect(try redacting(pattern, in: document) == expected)
    }

    @Test(arguments: [
        // A dotted path from the root.
        ("db.password", #"{"db":{"password":"x","host":"h"},"password":"y"}"#, #"{"db":{"password":"[redacted]","host":"h"},"password":"y"}"#),
        // `**.` matches at any depth, the top level included.
        ("**.token", #"{"token":"t"}"#, #"{"token":"[redacted]"}"#),
        ("**.token", #"{"a":{"b":{"token":"t","x":1}},"token2":2}"#, #"{"a":{"b":{"token":"[redacted]","x":1}},"token2":2}"#),
        ("**.token", #"{"token":{"token":1}}"#, #"{"token":"[redacted]"}"#),
        ("a.**.token", #"{"token":1,"a":{"token":2,"b":{"token":3}}}"#, #"{"token":1,"a":{"token":"[redacted]","b":{"token":"[redacted]"}}}"#),
        ("**.db.**.key", #"{"db":{"key":1},"x":{"db":{"y":{"key":2}}}}"#, #"{"db":{"key":"[redacted]"},"x":{"db":{"y":{"key":"[redacted]"}}}}"#),
        // `*` within a key: any run of characters, none included.
        ("**.secret*", #"{"secret":1,"secretKey":2,"mysecret":3,"Secret":4}"#, #"{"secret":"[redacted]","secretKey":"[redacted]","mysecret":3,"Secret":4}"#),
        ("**.secret*", #"{"a":{"b":{"secret_id":1,"is_secret":2}}}"#, #"{"a":{"b":{"secret_id":"[redacted]","is_secret":2}}}"#),
        ("db.*_password", #"{"db":{"admin_password":1,"_password":2,"password":3}}"#, #"{"db":{"admin_password":"[redacted]","_password":"[redacted]","password":3}}"#),
        ("*.key", #"{"a":{"key":1},"b":{"key":2},"key":3}"#, #"{"a":{"key":"[redacted]"},"b":{"key":"[redacted]"},"key":3}"#),
        ("a*b*c", #"{"abc":1,"aXbYc":2,"abbc":3,"acb":4,"ab":5,"abcX":6}"#, #"{"abc":"[redacted]","aXbYc":"[redacted]","abbc":"[redacted]","acb":4,"ab":5,"abcX":6}"#),
        ("*ab", #"{"ab":1,"aab":2,"abab":3,"ba":4}"#, #"{"ab":"[redacted]","aab":"[redacted]","abab":"[redacted]","ba":4}"#),
        ("é*", #"{"éa":1,"e":2}"#, #"{"éa":"[redacted]","e":2}"#),
        // Escapes: `\.`, `\*` and `\\` are literal characters of a key.
        (#"a\.b"#, #"{"a.b":1,"a":{"b":2}}"#, #"{"a.b":"[redacted]","a":{"b":2}}"#),
        (#"\*"#, #"{"*":1,"a":2}"#, #"{"*":"[redacted]","a":2}"#),
        (#"\*\*.x"#, #"{"**":{"x":1},"x":2}"#, #"{"**":{"x":"[redacted]"},"x":2}"#),
        (#"a\\b"#, #"{"a\\b":1,"ab":2}"#, #"{"a\\b":"[redacted]","ab":2}"#),
        (#"**.k\*"#, #"{"k*":1,"kk":2}"#, #"{"k*":"[redacted]","kk":2}"#),
        // A key may hold `/` and `~` as they are, past its first character.
        ("a/b.c~d", #"{"a/b":{"c~d":1}}"#, #"{"a/b":{"c~d":"[redacted]"}}"#),
    ])
    func dottedPaths(pattern: String, document: String, expected: String) throws {
        #expect(try redacting(pattern, in: document) == expected)
    }

    /// An array element is matched by its index in decimal, as a pointer names it; `**` crosses arrays.
    @Test(arguments: [
        ("servers.0.password", #"{"servers":[{"password":1},{"password":2}]}"#, #"{"servers":[{"password":"[redacted]"},{"password":2}]}"#),
        ("servers.*.password", #"{"servers":[{"password":1},{"password":2}]}"#, #"{"servers":[{"password":"[redacted]"},{"password":"[redacted]"}]}"#),
        ("servers.00.password", #"{"servers":[{"password":1}]}"#, #"{"servers":[{"password":1}]}"#),
        ("servers.1*", #"{"servers":[0,1,2,3,4,5,6,7,8,9,10,11]}"#, #"{"servers":[0,"[redacted]",2,3,4,5,6,7,8,9,"[redacted]","[redacted]"]}"#),
        ("**.token", #"[[{"token":1}],{"a":[{"token":2,"b":3}]}]"#, #"[[{"token":"[redacted]"}],{"a":[{"token":"[redacted]","b":3}]}]"#),
        ("**.1", #"{"a":[0,[5,6]],"1":7}"#, #"{"a":[0,"[redacted]"],"1":"[redacted]"}"#),
        // The key `0` of an object is a key like any other.
        ("a.0", #"{"a":{"0":1,"1":2}}"#, #"{"a":{"0":"[redacted]","1":2}}"#),
    ])
    func arrays(pattern: String, document: String, expected: String) throws {
        #expect(try redacting(pattern, in: document) == expected)
    }

    /// A pattern that matches nothing changes nothing, and never adds a member; the document
    /// itself is never matched.
    @Test(arguments: [
        "/db/password", "db.password", "**.token", "a.b.c", "/a/b/c", "/list/5", "list.5", "a.*.z", "**.a.c",
    ])
    func missingPathsChangeNothing(pattern: String) throws {
        let document = #"{"a":{"b":1},"list":[1,{"c":2}],"s":"text"}"#
        #expect(try redacting(pattern, in: document) == document)
        for scalar in ["1", "\"text\"", "null", "[]", "{}"] {
            #expect(try redacting(pattern, in: scalar) == scalar)
        }
    }

    @Test(arguments: [
        ("", "a pattern may not be empty"),
        ("a..b", "a key may not be empty"),
        ("a.", "a key may not be empty"),
        (".a", "a key may not be empty"),
        (".", "a key may not be empty"),
        ("**", "'**' must be followed by a key, as in **.token"),
        ("a.**", "'**' must be followed by a key, as in **.token"),
        ("**.**.a", "'**.**' says no more than '**'"),
        ("a**", "'**' stands alone between dots"),
        ("**a.b", "'**' stands alone between dots"),
        ("***.a", "'**' stands alone between dots"),
        ("a.b**c", "'**' stands alone between dots"),
        (#"a\b"#, #"'\' must be followed by '.', '*' or '\'"#),
        (#"a\"#, #"'\' must be followed by '.', '*' or '\'"#),
        (#"\/a"#, #"'\' must be followed by '.', '*' or '\'"#),
        ("/a~2", "'~' must be followed by '0' or '1' in a JSON pointer"),
        ("/a~", "'~' must be followed by '0' or '1' in a JSON pointer"),
    ])
    func rejects(pattern: String, message: String) {
        #expect {
            _ = try PathPattern(pattern)
        } throws: { error in
            guard let error = error as? PathPatternError else { return false }
            return error.pattern == pattern && error.message.hasPrefix(message)
        }
    }

    @Test func keepsItsText() throws {
        #expect(try PathPattern("**.secret*").description == "**.secret*")
        #expect(try PathPattern("/a~1b") == PathPattern("/a~1b"))
        #expect(try PathPattern("a.b") != PathPattern("/a/b"))
    }
}
