import Foundation
import ManifestBuilder
import Synchronization

/// The progress of a long `manifest publish` on standard error, redrawn in place: sources
/// done, the rate and the time left (`ReportText.progress`). Silent when standard error is not
/// a terminal, so logs, pipes and CI see only the result. Updated from the publisher's batches;
/// redrawn at most every 250 ms.
final class PublishProgress: Sendable {
    private let enabled: Bool
    private let start = ContinuousClock.now
    private let state = Mutex<(drawn: ContinuousClock.Instant?, width: Int)>((nil, 0))

    init(enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
    }

    /// For the publisher: called after each batch with the sources done and the total.
    func update(done: Int, total: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let line: String? = state.withLock { state in
            if let drawn = state.drawn, now - drawn < .milliseconds(250), done < total { return nil }
            state.drawn = now
            let text = ReportText.progress(done: done, total: total, elapsed: Self.seconds(now - start))
            let padded = text.padding(toLength: max(text.count, state.width), withPad: " ", startingAt: 0)
            state.width = text.count
            return padded
        }
        if let line { FileHandle.standardError.write(Data("\r\(line)".utf8)) }
    }

    /// Ends the line, so that what follows starts on its own; once.
    func finish() {
        let drawn = state.withLock { state in
            defer { state.drawn = nil }
            return state.drawn != nil
        }
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
