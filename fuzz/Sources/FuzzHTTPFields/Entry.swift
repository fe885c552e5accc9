import ManifestFuzzing

/// libFuzzer's entry point for `FuzzTarget.httpFields` (libFuzzer provides `main`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzTarget.httpFields.run(count == 0 ? [] : Array(UnsafeBufferPointer(start: start, count: count)))
    return 0
}
