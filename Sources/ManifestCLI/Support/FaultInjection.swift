import Foundation

/// Test-only faults, switched on by the environment so that a test can kill a real publisher
/// process at a known point. `MANIFEST_FAULT=hang-before-commit` holds the publish transaction
/// open (after announcing it on standard error) until the process is killed.
enum FaultInjection {
    static let beforeCommit: @Sendable () -> Void = {
        guard ProcessInfo.processInfo.environment["MANIFEST_FAULT"] == "hang-before-commit" else { return }
        FileHandle.standardError.write(Data("fault: holding the publish transaction open\n".utf8))
        while true { pause() }
    }
}
