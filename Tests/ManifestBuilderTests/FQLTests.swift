import Foundation
import TestSupport
import Testing

@testable import ManifestBuilder

@Suite("FQL: compiling destination filters and evaluating them")
struct FQLTests {
    static func ir(_ text: String) throws -> String {
        String(decoding: CanonicalJSON.encode(try FQL.compile(text).ir), as: UTF8.self)
    }

    @Test(
        "expressions and their IR",
        arguments: [
            (#"event = "Test""#, #"["=","event",{"value":"Test"}]"#),
            (
                #"type = "track" and properties.price > 100"#,
                #"["and",["=","type",{"value":"track"}],[">","properties.price",{"value":100}]]"#
            ),
            (#"match(event, "Order *")"#, #"["match","event",{"value":"Order *"}]"#),
            (
                #"!contains(lowercase(context.page.path), "/admin")"#,
                #"["!",["contains",["lowercase","context.page.path"],{"value":"/admin"}]]"#
            ),
            (
                #"a = 1 or b = 2 and c = 3"#,
                #"["or",["=","a",{"value":1}],["and",["=","b",{"value":2}],["=","c",{"value":3}]]]"#
            ),
            (
                #"(a = 1 or b = 2) and c = 3"#,
                #"["and",["or",["=","a",{"value":1}],["=","b",{"value":2}]],["=","c",{"value":3}]]"#
            ),
            (
                #"a = 1 and b = 2 and c = 3"#,
                #"["and",["=","a",{"value":1}],["=","b",{"value":2}],["=","c",{"value":3}]]"#
            ),
            (#"properties.test = true"#, #"["=","properties.test",{"value":true}]"#),
            (#"userId != null"#, #"["!=","userId",{"value":null}]"#),
            (#"properties.price <= -2.5"#, #"["<=","properties.price",{"value":-2.5}]"#),
            (#"typeof(properties.sku) = "string""#, #"["=",["typeof","properties.sku"],{"value":"string"}]"#),
            (#"length(properties.items) >= 3"#, #"[">=",["length","properties.items"],{"value":3}]"#),
            (#"event = "say \"hi\"""#, #"["=","event",{"value":"say \"hi\""}]"#),
            (#"!!a"#, #"["!",["!","a"]]"#),
        ])
    func table(_ text: String, _ expected: String) throws {
        #expect(try Self.ir(text) == expected)
    }

    @Test(
        "errors name the character and what was expected",
        arguments: [
            ("", 1, "expected a value"),
            (#"event = "Test" and"#, 19, "expected a value"),
            (#"event = "Test"#, 9, "unterminated string"),
            (#"event == "Test""#, 8, "expected a value"),
            (#"a = 1 = 2"#, 7, "do not chain"),
            (#"unknown(a)"#, 1, "unknown function 'unknown'"),
            (#"contains(a)"#, 1, "takes 2 argument(s)"),
            (#"(a = 1"#, 7, "expected ')'"),
            (#"a = 1 b = 2"#, 7, "expected 'and', 'or'"),
            (#"a = #"#, 5, "unexpected character '#'"),
            (#"properties. = 1"#, 1, "a dot must join two names"),
            (#"and = 1"#, 1, "expected a value before 'and'"),
        ])
    func errors(_ text: String, _ position: Int, _ message: String) {
        #expect {
            _ = try FQL.compile(text)
        } throws: { error in
            guard let error = error as? FQLError else { return false }
            return error.position == position && error.message.contains(message)
        }
    }

    @Test("property: random expressions printed as FQL compile back to the same expression")
    func roundTrip() throws {
        var random = SplitMix64(seed: 20_261_129)
        for _ in 0..<500 {
            let expression = Self.randomExpression(depth: 4, &random)
            #expect(try FQL.compile(expression.fql) == expression, "\(expression.fql)")
        }
    }

    static func randomExpression(depth: Int, _ random: inout SplitMix64) -> FilterExpression {
        let paths = ["event", "type", "properties.price", "context.page.path", "userId", "traits.plan_2"]
        let literals: [JSONValue] = [
            "Test", "Order \"Completed\"", "back\\slash", "", 0, -3, 42, 1.5, -0.25, 1e-5, true, false, .null,
        ]
        guard depth > 0, Int.random(in: 0..<4, using: &random) != 0 else {
            return Bool.random(using: &random)
                ? .path(paths.randomElement(using: &random)!) : .literal(literals.randomElement(using: &random)!)
        }
        let next = { (random: inout SplitMix64) in randomExpression(depth: depth - 1, &random) }
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return .call(.not, [next(&random)])
        case 1:
            let op: FilterExpression.Operator = Bool.random(using: &random) ? .and : .or
            return .call(op, (0..<Int.random(in: 2...3, using: &random)).map { _ in next(&random) })
        case 2:
            let op = FilterExpression.Operator.comparisons.values.sorted { $0.rawValue < $1.rawValue }
                .randomElement(using: &random)!
            return .call(op, [next(&random), next(&random)])
        default:
            let (op, arity) = FilterExpression.Operator.functions.values.sorted { $0.0.rawValue < $1.0.rawValue }
                .randomElement(using: &random)!
            return .call(op, (0..<arity).map { _ in next(&random) })
        }
    }

    static let event: JSONValue = [
        "type": "track", "event": "Order Completed", "userId": "u-1",
        "properties": [
            "price": 120, "discount": 0.5, "sku": "SKU-1", "items": ["a", "b"], "test": false, "nothing": .null,
        ],
        "context": ["page": ["path": "/Admin/orders"]],
    ]

    @Test(
        "the library's semantics",
        arguments: [
            (#"event = "Order Completed""#, true),
            (#"event = "order completed""#, false),
            (#"properties.price > 100 and properties.price <= 120"#, true),
            (#"properties.price = 120.0"#, true),
            (#"properties.sku > 1"#, false),
            (#"properties.missing = null"#, false),
            (#"properties.nothing = null"#, true),
            (#"properties.missing != "x""#, true),
            (#"typeof(properties.missing) = "undefined""#, true),
            (#"typeof(properties.nothing) = "object""#, true),
            (#"typeof(properties.items) = "object""#, true),
            (#"typeof(properties.price) = "number""#, true),
            (#"length(properties.items) = 2 and length(event) = 15 and length(properties.nothing) = 0"#, true),
            (#"contains(lowercase(context.page.path), "/admin")"#, true),
            (#"contains(context.page.path, "/admin")"#, false),
            (#"contains(properties.price, "1")"#, false),
            (#"match(event, "Order *")"#, true),
            (#"match(event, "Order ?ompleted")"#, true),
            (#"match(event, "[A-Z]rder*")"#, true),
            (#"match(event, "[^O]rder*")"#, false),
            (#"match(event, "Order\*")"#, false),
            (#"!properties.test"#, true),
            (#"properties.test or userId = "u-1""#, true),
            (#"lowercase(properties.price) = null"#, true),
            (#"properties"#, false),
        ])
    func semantics(_ text: String, _ matches: Bool) throws {
        #expect(try FQL.compile(text).matches(Self.event) == matches)
    }

    @Test("manifests carry one routing rule per filter of an enabled device-mode instance, by instance name")
    func routingRules() throws {
        var store = storefront
        let drop = DestinationFilter(name: "No tests", condition: #"event = "Test""#, action: .drop)
        let strip = DestinationFilter(
            name: "Strip", condition: #"type = "identify""#, action: .dropProperties(["traits.email", "userId"]))
        let sample = DestinationFilter(name: "Sample", condition: "type = \"page\"", action: .sample(percent: 10))
        for index in store.instances.indices {
            switch store.instances[index].name {
            case "Amplitude": store.instances[index].filters = [drop, strip]
            case "Braze EU", "Amplitude North America", "GTM": store.instances[index].filters = [sample]
            default: break
            }
        }
        let manifest = try #require(TestCatalog.compiler.compile(store, in: workspace(store)))
        let rules = try #require(manifest.content["middlewareSettings"]?["routingRules"])
        guard case .array(let list) = rules else { throw CancellationError() }
        // Amplitude (classic) twice, Braze EU (Actions, by its creationName) once; the cloud-mode
        // and the disabled instance not at all.
        #expect(list.map { $0["destinationName"] } == ["Amplitude", "Amplitude", "Braze EU"])
        #expect(list[0]["transformers"] == [[["type": "drop"]]])
        #expect(list[0]["matchers"]?[0]?["ir"] == #"["=","event",{"value":"Test"}]"#)
        #expect(list[0]["matchers"]?[0]?["config"]?["expr"] == #"event = "Test""#)
        #expect(
            list[1]["transformers"]
                == [[["type": "drop_properties", "config": ["drop": ["traits": ["email"], "": ["userId"]]]]]])
        #expect(list[2]["transformers"] == [[["type": "sample_event", "config": ["sample": ["percent": 0.1]]]]])
        let plugins = try #require(manifest.content["remotePlugins"])
        guard case .array(let pluginList) = plugins else { throw CancellationError() }
        #expect(pluginList.contains { $0["creationName"] == "Braze EU" })
    }
}

@Suite("The routing middleware over a compiled manifest")
struct RoutingMiddlewareTests {
    static func routing(_ filters: [String: [DestinationFilter]]) throws -> RoutingMiddleware {
        var store = storefront
        for index in store.instances.indices {
            store.instances[index].filters = filters[store.instances[index].name] ?? []
        }
        let manifest = try #require(TestCatalog.compiler.compile(store, in: workspace(store)))
        return RoutingMiddleware(document: manifest.content)
    }

    static let test: JSONValue = ["type": "track", "event": "Test", "userId": "u1", "properties": ["a": 1, "b": 2]]
    static let order: JSONValue = ["type": "track", "event": "Order Completed", "userId": "u1"]

    @Test("a drop rule drops matching events for its destination only")
    func drop() throws {
        let routing = try Self.routing([
            "Amplitude": [DestinationFilter(name: "No tests", condition: #"event = "Test""#, action: .drop)]
        ])
        #expect(routing.route(Self.test, to: "Amplitude") { 0 } == nil)
        #expect(routing.route(Self.order, to: "Amplitude") { 0 } == Self.order)
        #expect(routing.route(Self.test, to: "Braze EU") { 0 } == Self.test)
    }

    @Test("drop_properties and allow_properties reshape the named objects")
    func properties() throws {
        let routing = try Self.routing([
            "Amplitude": [
                DestinationFilter(
                    name: "Strip", condition: "type = \"track\"", action: .dropProperties(["properties.a"]))
            ],
            "Braze EU": [
                DestinationFilter(
                    name: "Only b", condition: "type = \"track\"", action: .allowProperties(["properties.b"]))
            ],
        ])
        #expect(routing.route(Self.test, to: "Amplitude") { 0 }?["properties"] == ["b": 2])
        let braze = routing.route(Self.test, to: "Braze EU") { 0 }
        #expect(braze == ["type": "track", "event": "Test", "userId": "u1", "properties": ["b": 2]])
    }

    @Test("a sample with a path keeps or drops the same user every time, about the given share of users")
    func samplePath() throws {
        let routing = try Self.routing([
            "Amplitude": [
                DestinationFilter(
                    name: "A third", condition: "type = \"track\"", action: .sample(percent: 30, path: "userId"))
            ]
        ])
        var kept = 0
        for user in 0..<2_000 {
            let event: JSONValue = ["type": "track", "event": "E", "userId": .string("user-\(user)")]
            let first = routing.route(event, to: "Amplitude") { 0.99 } != nil
            let second = routing.route(event, to: "Amplitude") { 0.01 } != nil
            #expect(first == second)
            if first { kept += 1 }
        }
        #expect((500...700).contains(kept))
    }

    @Test("the IR reads back into the expression it came from")
    func irRoundTrip() throws {
        for text in [#"event = "Test""#, #"!contains(lowercase(context.page.path), "/admin") or a >= 1.5"#] {
            let expression = try FQL.compile(text)
            #expect(FilterExpression(ir: expression.ir) == expression)
        }
    }
}
