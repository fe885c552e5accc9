import Foundation
import ManifestBuilder
import Testing

@Suite("JSONValue.parse")
struct JSONParserTests {
    @Test(
        "values of every kind",
        arguments: [
            ("null", JSONValue.null),
            ("true", .bool(true)),
            (" false ", .bool(false)),
            ("0", .int(0)),
            ("-12", .int(-12)),
            ("1.5", .double(1.5)),
            ("1e3", .double(1000)),
            ("-0.25E-2", .double(-0.0025)),
            ("9223372036854775808", .double(9_223_372_036_854_775_808)),
            (#""a\"b\\c\/d\n\t""#, .string("a\"b\\c/d\n\t")),
            (#""\u00e9\ud83d\ude00""#, .string("é😀")),
            ("\"é\"", .string("é")),
            ("[]", .array([])),
            ("[1, [2], {}]", .array([.int(1), .array([.int(2)]), .object([:])])),
            (#"{"a": {"b": [null]}, "c": "d"}"#, .object(["a": .object(["b": .array([.null])]), "c": .string("d")])),
            ("\u{FEFF}{}", .object([:])),
        ])
    func values(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONValue.parse(Array(text.utf8)) == expected)
    }

    @Test("agrees with JSONDecoder on a settings document")
    func agreesWithFoundation() throws {
        let text =
            #"{"integrations": {"Amplitude": {"apiKey": "k", "trackPages": true, "rate": 0.5, "n": 3, "list": ["a", null]}}}"#
        let ours = try JSONValue.parse(Array(text.utf8))
        let theirs = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(ours == theirs)
    }

    @Test(
        "errors name what is wrong, with line and column",
        arguments: [
            ("", 1, 1, "unexpected end of input"),
            ("{\"a\": 1,}", 1, 9, "trailing comma before '}'"),
            ("[1,]", 1, 4, "trailing comma before ']'"),
            ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\""),
            ("{\n  \"x\": 1e400\n}", 2, 8, "out of range"),
            ("{\n  \"x\": tru\n}", 2, 8, "expected a value"),
            ("[1] 2", 1, 5, "after the JSON value"),
            ("\"abc", 1, 1, "unterminated string"),
            ("01", 1, 1, "cannot start with 0"),
            ("{\"a\" 1}", 1, 6, "expected ':'"),
            ("\"\\x\"", 1, 2, "invalid escape"),
            ("\"\\ud800\"", 1, 2, "surrogate"),
        ])
    func errors(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        #expect {
            _ = try JSONValue.parse(Array(text.utf8))
        } throws: { error in
            guard let error = error as? JSONSyntaxError else { return false }
            return error.line == line && error.column == column && error.message.contains(message)
        }
    }

    @Test("nesting deeper than the limit is refused, not a stack overflow")
    func depth() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(deep.utf8)) }
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
    }
}
