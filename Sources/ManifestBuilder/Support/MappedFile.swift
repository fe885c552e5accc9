import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A workspace file's bytes, mapped into memory, read front to back, their pages handed back
/// as the reading passes them.
///
/// Why: a workspace file read into memory stays resident for the whole validation or publish,
/// and a platform's file grows with its sources; mapped, its pages come from the page cache as
/// they are read and leave the process once read (`release(before:)`), so the resident memory
/// a read a batch of sources at a time needs does not grow with the file (issue 16). A file
/// that cannot be mapped (a pipe) is read into memory instead.
///
/// A mapping is not a snapshot: a publish checks that the file is still the one it opened
/// before it commits (`checkUnchanged()`), so that the bytes it hashed are the bytes it read.
/// Rewrite a workspace file by renaming a new one into place, as editors do: a file cut short
/// in place while it is read ends the process (SIGBUS), as with any mapped file, and the
/// publish's transaction is then rolled back by the database.
public final class MappedFile: Sendable {
    /// The file as messages name it.
    let path: String
    private let location: String
    let count: Int
    private let mapping: Mapping?
    private let contents: Data?
    private let released = Mutex(0)
    /// What identifies the file's version when it was opened (nil when read into memory).
    private let opened: Version?

    /// The device, inode, size and modification time: a rewrite changes one of them.
    private struct Version: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var modifiedNanoseconds: Int64

        init(_ status: stat) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
            size = Int64(status.st_size)
            modified = Int64(status.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(status.st_mtim.tv_nsec)
        }
    }

    /// The address of a mapping, as an integer: it is only read through, never written.
    private struct Mapping: Sendable {
        let address: UInt

        var pointer: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: address)! }
    }

    /// Opens `url`; the errors are `InputDocument.read`'s (no such file, a directory, unreadable).
    public init(_ url: URL) throws(InputError) {
        path = url.relativePath
        location = url.path
        try InputDocument.checkReadable(url)
        let descriptor = open(url.path, O_RDONLY)
        var status = stat()
        guard descriptor >= 0, fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            if descriptor >= 0 { close(descriptor) }
            contents = try InputDocument.read(url)
            count = contents!.count
            mapping = nil
            opened = nil
            return
        }
        defer { close(descriptor) }
        opened = Version(status)
        count = Int(status.st_size)
        let mapped = count > 0 ? mmap(nil, count, PROT_READ, MAP_PRIVATE, descriptor, 0) : nil
        if let mapped, mapped != MAP_FAILED {
            _ = madvise(mapped, count, MADV_SEQUENTIAL)
            mapping = Mapping(address: UInt(bitPattern: mapped))
            contents = nil
        } else {
            mapping = nil
            contents = count > 0 ? try InputDocument.read(url) : Data()
        }
    }

    /// Throws when the file at `path` is no longer the version opened: it was written or
    /// replaced while it was read, so what was read may not be what was hashed.
    func checkUnchanged() throws(InputError) {
        guard let opened else { return }
        var status = stat()
        guard stat(location, &status) == 0, Version(status) == opened else {
            throw InputError(
                file: path,
                message: "changed while it was being read, so it was not used (write a new file and rename it "
                    + "into place, then run again)")
        }
    }

    deinit {
        if let mapping { munmap(mapping.pointer, count) }
    }

    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let mapping {
            return try body(
                UnsafeBufferPointer(start: mapping.pointer.assumingMemoryBound(to: UInt8.self), count: count))
        }
        return try (contents ?? Data()).withUnsafeBytes { try body($0.bindMemory(to: UInt8.self)) }
    }

    /// Hands back every page, to be read again from the start (after hashing the whole file).
    func releaseAll() {
        guard let mapping else { return }
        released.withLock { released in
            _ = madvise(mapping.pointer, count, MADV_DONTNEED)
            released = 0
        }
    }

    /// Hands back the whole pages before `offset`: they are not read again (a later access would
    /// read them from the file once more).
    func release(before offset: Int) {
        guard let mapping else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, count) / page * page
        released.withLock { released in
            guard end > released else { return }
            _ = madvise(mapping.pointer + released, end - released, MADV_DONTNEED)
            released = end
        }
    }
}

extension MappedFile {
    /// The workspace read the ordinary way, whole: for a file that cannot be read a batch at a
    /// time, whose errors then say what is wrong and where. The bytes are copied first, then the
    /// file checked to be the version opened, so that they are the ones hashed.
    func decodedWhole() throws(InputError) -> Workspace {
        let contents = withBytes { Data($0) }
        try checkUnchanged()
        return try InputDocument.decode(Workspace.self, taking: contents, file: path)
    }
}
