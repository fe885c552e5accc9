// Publish benchmark: build, sign and store a generated workspace of many sources, then
// republish after changing one source. Prints one JSON object of measurements, and writes the
// compiled documents as JSON lines for the Python baseline (bench/json_baseline.py).
//
//   swift run -c release PublishBench [sources] [output.jsonl]
import Foundation
import ManifestBuilder

func seconds(_ start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func peakMemoryMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// A line of /proc/self/status in MiB: `VmRSS` (now) or `VmHWM` (the peak since the last reset).
func statusMiB(_ field: String) -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
    return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
}

/// The resident set now, to tell the workspace held in memory from what a publish adds.
func currentMemoryMiB() -> Double { statusMiB("VmRSS") }

/// Starts `VmHWM` again from the current resident set (Linux: `clear_refs` 5), so that the peak
/// of one phase can be read on its own.
func resetPeakMemory() {
    let descriptor = open("/proc/self/clear_refs", O_WRONLY)
    guard descriptor >= 0 else { return }
    _ = write(descriptor, "5", 1)
    close(descriptor)
}

let arguments = CommandLine.arguments
let sourceCount = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let documentsFile = arguments.count > 2 ? arguments[2] : nil
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let fixtures = root.appendingPathComponent("fixtures")

let catalog = try InputDocument.load(Catalog.self, from: fixtures.appendingPathComponent("catalog.json"))
let bundles = try BundleSet.load(catalog: catalog, from: fixtures.appendingPathComponent("sdk"))
let compiler = ManifestCompiler(catalog: catalog, bundles: bundles, cdnBase: "https://cdn.bench.example")
var workspace = WorkspaceGenerator(catalog: catalog, sources: sourceCount).generate()
let instanceCount = workspace.sources.reduce(0) { $0 + $1.instances.count }
let workspaceRSS = currentMemoryMiB()

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("publish-bench-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
let store = try SQLiteOriginStore(path: directory.appendingPathComponent("origin.sqlite").path)
let publisher = Publisher(compiler: compiler, key: SigningKey(), store: store)
let now = Date()

// Where the time goes, phase by phase (each measured alone on a sample of 2,000 sources, before
// the real publish, and given per 10,000: a sample of 10,000 held at once would set the peak).
let rules = ConnectionRules(catalog: catalog)
var phaseStart = ContinuousClock.now
_ = rules.validate(workspace)
let validateSeconds = seconds(phaseStart)
let sampleSize = min(2_000, workspace.sources.count)
let perTenThousand = 10_000 / Double(sampleSize)
var compileSecondsPer10k = 0.0
var signSecondsPer10k = 0.0
var storeSecondsPer10k = 0.0
do {
    phaseStart = ContinuousClock.now
    let compiledSample = workspace.sources.prefix(sampleSize).compactMap { compiler.compile($0, in: workspace) }
    compileSecondsPer10k = seconds(phaseStart) * perTenThousand
    let signingKey = SigningKey()
    phaseStart = ContinuousClock.now
    let sampleSigned = compiledSample.map { $0.signed(version: 1, publishedAt: now, validity: 86_400, key: signingKey) }
    signSecondsPer10k = seconds(phaseStart) * perTenThousand
    let sampleStore = try SQLiteOriginStore(path: directory.appendingPathComponent("sample.sqlite").path)
    phaseStart = ContinuousClock.now
    try await sampleStore.append(writeKeys: []) { _ in (PublishBatch(manifests: sampleSigned), ()) }
    storeSecondsPer10k = seconds(phaseStart) * perTenThousand
}

let rssBeforePublish = currentMemoryMiB()
resetPeakMemory()
let fullStart = ContinuousClock.now
let full = try await publisher.publish(workspace, now: now)
let fullSeconds = seconds(fullStart)
let fullPeakRSS = statusMiB("VmHWM")

// Republish after one source changed: the whole workspace goes through validate, compile and
// compare; one source is signed and stored.
let changedIndex = workspace.sources.firstIndex { $0.kind == .web && !$0.instances.isEmpty }!
workspace.sources[changedIndex].instances[0].enabled.toggle()
let oneStart = ContinuousClock.now
let one = try await publisher.publish(workspace, now: now.addingTimeInterval(1))
let oneSeconds = seconds(oneStart)

// The same change through the single-source path an API would use: first without an index
// (the other sources are scanned for W1/R13 clashes), then with the index a long-running
// publisher keeps.
let changedID = workspace.sources[changedIndex].id
workspace.sources[changedIndex].instances[0].enabled.toggle()
let singleStart = ContinuousClock.now
let single = try await publisher.publish(workspace, sources: [changedID], now: now.addingTimeInterval(2))
let singleSeconds = seconds(singleStart)
let indexStart = ContinuousClock.now
let index = WorkspaceIndex(workspace)
let indexSeconds = seconds(indexStart)
workspace.sources[changedIndex].instances[0].enabled.toggle()
let indexedStart = ContinuousClock.now
let indexed = try await publisher.publish(workspace, sources: [changedID], index: index, now: now.addingTimeInterval(3))
let indexedSeconds = seconds(indexedStart)

var manifestBytes = 0
if let documentsFile {
    _ = FileManager.default.createFile(atPath: documentsFile, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: documentsFile))
    var buffer: [UInt8] = []
    for source in workspace.sources {
        guard let manifest = compiler.compile(source, in: workspace) else { continue }
        let bytes = CanonicalJSON.encode(manifest.content)
        manifestBytes += bytes.count
        buffer += bytes
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count > 1 << 22 {
            handle.write(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        }
    }
    handle.write(Data(buffer))
    try handle.close()
}

let result: [String: Any] = [
    "sources": sourceCount,
    "instances": instanceCount,
    "manifests": full.changes.count,
    "full_publish_s": fullSeconds,
    "manifests_per_s": Double(full.changes.count) / fullSeconds,
    "republish_one_changed_full_workspace_s": oneSeconds,
    "republish_one_changed_full_workspace_published": one.changes.count,
    "republish_one_source_s": singleSeconds,
    "republish_one_source_published": single.changes.count,
    "republish_one_source_indexed_s": indexedSeconds,
    "republish_one_source_indexed_published": indexed.changes.count,
    "workspace_index_build_s": indexSeconds,
    "peak_rss_mib": peakMemoryMiB(),
    "peak_rss_after_full_publish_mib": fullPeakRSS,
    "workspace_rss_mib": workspaceRSS,
    "rss_before_full_publish_mib": rssBeforePublish,
    "phase_validate_s": validateSeconds,
    "phase_compile_10k_sources_1_core_s": compileSecondsPer10k,
    "phase_stamp_sign_10k_1_core_s": signSecondsPer10k,
    "phase_store_10k_s": storeSecondsPer10k,
    "manifest_bytes": manifestBytes,
]
let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .prettyPrinted])
print(String(decoding: json, as: UTF8.self))
