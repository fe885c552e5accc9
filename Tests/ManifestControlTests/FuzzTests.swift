import Foundation
import Testing

@testable import ManifestBuilder
@testable import ManifestControl

/// A few hundred mutated request bodies: each gets a 4xx problem document (never a 5xx),
/// nothing changes, and the server still answers afterwards.
@Suite struct FuzzTests {
    static let seeds: [(String, String, JSONValue)] = [
        (
            "POST", "/v1/workspaces/ws_acme/sources/src_acme_web_docs/destinations",
            [
                "destination": "amplitude", "displayName": "Amp Docs", "mode": "device", "enabled": true,
                "settings": ["apiKey": "k", "trackAllPages": true, "eventUploadThreshold": 5],
            ]
        ),
        (
            "PATCH", "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_hotjar",
            ["displayName": "Hotjar", "enabled": false, "settings": ["hjid": "1"], "filters": []]
        ),
        ("POST", "/v1/workspaces/ws_acme/sources", ["displayName": "New", "kind": "web", "writeKey": "wk_new"]),
        (
            "POST",
            "/v1/workspaces/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_amplitude_na/copy-settings",
            ["from": "workspaces/ws_acme/sources/src_acme_web_store/destinations/di_acme_store_amplitude"]
        ),
    ]

    /// Mutations that keep a body syntactically or semantically broken: byte flips, cuts,
    /// wrong types, unknown fields, nesting, huge strings.
    static func mutate(_ body: JSONValue, _ generator: inout SplitMix64) -> [UInt8] {
        var bytes = CanonicalJSON.encode(body)
        guard case .object(var members) = body else { return bytes }
        let key = members.keys.sorted().randomElement(using: &generator)!
        switch Int.random(in: 0..<10, using: &generator) {
        // A raw control character is invalid anywhere in JSON, inside strings too.
        case 0:
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 1...0x1F, using: &generator)
        case 1: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
        case 2:
            members[key] = [.int(1), .bool(true), .array([]), .double(2.5), .object(["x": 1])].randomElement(
                using: &generator)!
            members["mode"] = members["mode"].map { _ in .string("hybrid") }
            return CanonicalJSON.encode(
                .object(members.merging(["unknownField\(Int.random(in: 0...9, using: &generator))": 1]) { $1 }))
        case 3:
            members["zzz\(Int.random(in: 0...99, using: &generator))"] = "x"
            return CanonicalJSON.encode(.object(members))
        case 4: return CanonicalJSON.encode(.array([body]))
        case 5: return Array("{\"\(key)\": ".utf8) + Array(repeating: UInt8(ascii: "["), count: 600) + Array("}".utf8)
        case 6:
            members[key] = .string(String(repeating: "x", count: 5_000))
            members["mode"] = .int(3)
            return CanonicalJSON.encode(.object(members))
        case 7: bytes.insert(UInt8(ascii: ","), at: bytes.count - 1)
        case 8: return Array("null".utf8)
        default:
            bytes.insert(
                contentsOf: Array("\u{0}\u{FFFF}".utf8), at: Int.random(in: 1..<bytes.count, using: &generator))
        }
        return bytes
    }

    @Test func mutatedBodiesAreRefusedAndChangeNothing() async throws {
        try await withControlPlane { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let before = try await harness.store.workspace(id: "ws_acme")!
            var generator = SplitMix64(seed: 42)
            var statuses: [Int: Int] = [:]
            for round in 0..<300 {
                let (method, path, body) = Self.seeds[round % Self.seeds.count]
                let mutated = Self.mutate(body, &generator)
                let reply = try await api.send(.init(method)!, path, raw: mutated)
                statuses[reply.status, default: 0] += 1
                let sent = String(decoding: mutated.prefix(200), as: UTF8.self)
                #expect(
                    (400..<500).contains(reply.status), "\(method) \(path) \(sent) -> \(reply.status) \(reply.text)")
                #expect(reply.header(.contentType) == "application/problem+json")
            }
            let after = try await harness.store.workspace(id: "ws_acme")!
            #expect(after.revision == before.revision)
            #expect(after.workspace == before.workspace, "the workspace changed")
            #expect(try await api.get("/healthz").status == 200)
            #expect(statuses.keys.allSatisfy { $0 < 500 })
        }
    }

    @Test func oversizedAndWronglyTypedBodiesAreRefusedClearly() async throws {
        try await withControlPlane(limits: .init(maxBodyBytes: 4096)) { harness, client in
            let api = client.with(token: try await harness.token(.write, workspace: "ws_acme"))
            let path = "/v1/workspaces/ws_acme/sources"
            let big = try await api.send(
                .post, path, raw: Array(repeating: UInt8(ascii: " "), count: 10_000) + Array("{}".utf8))
            #expect(big.status == 413)
            let text = try await api.send(.post, path, raw: Array("{}".utf8), headers: [.contentType: "text/plain"])
            #expect(text.status == 415)
            let unknown = try await api.post(path, ["displayName": "x", "kind": "web", "colour": "red"])
            #expect(unknown.status == 400)
            #expect(unknown["pointer"] == "/colour")
            let wrongType = try await api.post(path, ["displayName": 3, "kind": "web"])
            #expect(wrongType["pointer"] == "/displayName")
            let badKind = try await api.post(path, ["displayName": "x", "kind": "tv"])
            #expect(badKind["pointer"] == "/kind")
            let syntax = try await api.send(.post, path, raw: Array("{\"displayName\": }".utf8))
            #expect(syntax.status == 400)
            let unknownCatalog = try await api.post(
                path + "/src_acme_web_store/destinations", ["destination": "nope", "mode": "cloud"])
            #expect(unknownCatalog.status == 422)
            #expect(unknownCatalog["violations"]?[0]?["pointer"] == "/destination")
            let badCursor = try await api.get(path + "?cursor=!!!")
            #expect(badCursor.status == 400)
            #expect(try await api.get("/v1/nowhere").status == 404)
            let wrongMethod = try await api.send(.put, path)
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header(.allow) == "GET, POST")
        }
    }
}
