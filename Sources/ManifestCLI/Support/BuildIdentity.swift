import Foundation

/// What tells this build of `manifest` from another, for a file publish's input digest
/// (`Publisher.inputDigest`): a new build may compile the same workspace differently, so its
/// first publish must not be skipped. The version, and the executable's size, modification
/// time and inode: any rebuild or reinstall changes them (and costs one full publish). When the
/// executable cannot be found, a value of this process alone: no publish is ever skipped.
enum BuildIdentity {
    static let current: String = {
        let version = "manifest \(ManifestCommand.version)"
        guard let path = Bundle.main.executableURL?.resolvingSymlinksInPath().path,
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        else { return version + ", executable unknown, process \(UUID().uuidString)" }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
        let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        return "\(version), \(path), \(size) bytes, modified \(modified), inode \(inode)"
    }()
}
