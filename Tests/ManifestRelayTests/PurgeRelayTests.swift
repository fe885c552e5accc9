import Foundation
import HTTPTypes
import ManifestBuilder
import ManifestHTTP
import NIOCore
import Synchronization
import TestSupport
import Testing

@testable import ManifestRelay

/// The relay's logic against a stream and a Varnish in process: what it asks for, in which order.
@Suite("Purge relay logic")
struct PurgeRelayTests {
    @Test("a first start finds the stream's end, then bans everything, then purges each published write key once")
    func firstStart() async throws {
        let stream = ScriptedStream([
            EventBatch(events: [], last: 7),
            EventBatch(events: [event(8, "wk_a"), event(9, "wk_b"), event(10, "wk_a")], last: 10),
        ])
        let varnish = RecordingVarnish()
        let relay = PurgeRelay(
            events: stream, purger: VarnishPurger(varnish: varnish), name: "edge 1", wait: 3, logger: .test)
        let following = Task { try await relay.run() }
        defer { following.cancel() }
        try await withTimeLimit { while relay.purgedSequence != 10 { try await Task.sleep(for: .milliseconds(5)) } }
        #expect(stream.paths.prefix(2) == ["/v1/events", "/v1/events?after=7&wait=3&edge=edge%201"])
        #expect(varnish.requests == ["BAN", "PURGE writekey:wk_a writekey:wk_b"])
    }

    @Test("a reset bans everything and goes on from the batch's last sequence")
    func reset() async throws {
        let stream = ScriptedStream([EventBatch(events: [], last: 50, reset: true)])
        let varnish = RecordingVarnish()
        let relay = PurgeRelay(
            events: stream, purger: VarnishPurger(varnish: varnish), startAfter: 3, logger: .test)
        let following = Task { try await relay.run() }
        defer { following.cancel() }
        try await withTimeLimit { while relay.purgedSequence != 50 { try await Task.sleep(for: .milliseconds(5)) } }
        #expect(varnish.requests == ["BAN"])
    }

    @Test("a 2xx without the VCL's acknowledgement is not a purge")
    func unacknowledged() async throws {
        let purger = VarnishPurger(varnish: RecordingVarnish(acknowledges: false))
        await #expect(throws: PurgeError.unacknowledged(status: 200)) { try await purger.purge(keys: ["writekey:a"]) }
        await #expect(throws: PurgeError.unacknowledged(status: 200)) { try await purger.purgeEverything() }
    }

    @Test("events become purges of at most 4 KiB of keys, each write key once, none at or before the start")
    func batches() {
        let long = String(repeating: "k", count: 120)
        let events = (1...100).map { event(Int64($0), "\(long)\($0 % 50)") }
        let batches = PurgeBatch.batches(events, after: 10)
        #expect(batches.map(\.lastSequence).last == 100)
        #expect(batches.allSatisfy { $0.keys.joined(separator: " ").utf8.count <= PurgeBatch.maxKeyBytes })
        #expect(batches.count > 1)
        // Sequences 11...100 name 50 write keys; each batch names each of its keys once.
        #expect(batches.allSatisfy { Set($0.keys).count == $0.keys.count })
        #expect(Set(batches.flatMap(\.keys)).count == 50)
        #expect(batches.first?.keys.first == "writekey:\(long)11")
        #expect(PurgeBatch.batches(events, after: 100).isEmpty)
    }

    @Test("the state file: none yet, a saved sequence, and anything else refused")
    func stateFile() throws {
        let directory = try TemporaryDirectory("relay-state")
        defer { directory.remove() }
        let file = SequenceFile(path: directory.file("state").path)
        #expect(try file.read() == nil)
        try file.write(42)
        #expect(try file.read() == 42)
        try file.write(43)
        #expect(try file.read() == 43)
        try Data("forty-four\n".utf8).write(to: directory.file("state"))
        #expect(throws: SequenceFileError.self) { try file.read() }
    }
}

/// A publish event as the stream carries it (the type has no public initialiser: only the store makes them).
func event(_ sequence: Int64, _ writeKey: String) -> PublishEvent {
    let json =
        #"{"sequence":\#(sequence),"writeKey":"\#(writeKey)","version":1,"#
        + #""surrogateKeys":["writekey:\#(writeKey)"]}"#
    return try! JSONDecoder().decode(PublishEvent.self, from: Data(json.utf8))
}

/// A stream that answers each poll with the next batch, then with nothing new after a short wait.
final class ScriptedStream: Upstream {
    private let state: Mutex<(batches: [EventBatch], paths: [String])>

    init(_ batches: [EventBatch]) {
        state = Mutex((batches, []))
    }

    var paths: [String] { state.withLock { $0.paths } }

    func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        let next = state.withLock { state -> EventBatch? in
            state.paths.append(path)
            return state.batches.isEmpty ? nil : state.batches.removeFirst()
        }
        guard let next else {
            try? await Task.sleep(for: .milliseconds(20))
            throw .unreachable("no more batches in the script")
        }
        return UpstreamResponse(status: .ok, headerFields: [:], body: ByteBuffer(bytes: next.encoded()))
    }
}

/// A Varnish that acknowledges every purge as manifest.vcl does (or not) and records them.
final class RecordingVarnish: Upstream {
    private let acknowledges: Bool
    private let recorded = Mutex<[String]>([])

    init(acknowledges: Bool = true) {
        self.acknowledges = acknowledges
    }

    /// `BAN`, or `PURGE` and the keys.
    var requests: [String] { recorded.withLock { $0 } }

    func fetch(_ path: String, headerFields: HTTPFields) async throws(UpstreamError) -> UpstreamResponse {
        throw .unreachable("Varnish is only purged here")
    }

    func send(
        _ method: HTTPRequest.Method, _ path: String, headerFields: HTTPFields, body: ByteBuffer
    ) async throws(UpstreamError) -> UpstreamResponse {
        let keys = headerFields[VarnishPurger.keysField]
        recorded.withLock { $0.append([method.rawValue, keys].compactMap { $0 }.joined(separator: " ")) }
        var fields = HTTPFields()
        if acknowledges {
            fields[method.rawValue == "BAN" ? VarnishPurger.bannedField : VarnishPurger.purgedField] =
                method.rawValue == "BAN" ? "all" : "1"
        }
        return UpstreamResponse(status: .ok, headerFields: fields, body: ByteBuffer())
    }
}
