import Foundation
import Synchronization

/// A percentage on standard error, redrawn in place, for runs that take a while. Updated from
/// the simulator's task, so the last percentage shown sits behind a `Mutex`.
final class ProgressLine: Sendable {
    private let label: String
    private let shown = Mutex(-1)

    init(label: String) {
        self.label = label
    }

    func update(_ fraction: Double) {
        let percent = Int(fraction * 100)
        let redraw = shown.withLock { shown in
            guard percent / 10 != shown / 10 else { return false }
            shown = percent
            return true
        }
        if redraw { FileHandle.standardError.write(Data("\r\(label): \(percent)%".utf8)) }
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\(label): done \n".utf8))
    }
}
