import Foundation

/// glibc's malloc grows each thread's heap a page range at a time, with an `mprotect` call
/// every time: reading a 51 MB workspace on several threads spent 7% of its samples there
/// (issue 16). Commands that read a large workspace ask for 16 MiB of headroom per growth
/// (`M_TOP_PAD`); pages nobody touches cost no memory. Not for the servers, whose idle RSS
/// is trimmed. `mallopt` is looked up at run time: the Glibc module does not include
/// `malloc.h`, and other C libraries do not have it.
enum MallocTuning {
    static func forLargeInputs() {
        #if canImport(Glibc)
            typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
            let topPad: Int32 = -2  // M_TOP_PAD in malloc.h
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            _ = unsafeBitCast(symbol, to: MallOpt.self)(topPad, 16 << 20)
        #endif
    }
}
