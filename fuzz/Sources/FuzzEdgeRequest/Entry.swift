import ManifestFuzzing

/// libFuzzer's entry point for `FuzzTarget.edgeRequest`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzTarget.edgeRequest.run(count == 0 ? [] : Array(UnsafeBufferPointer(start: start, count: count)))
    return 0
}

/// The entry point SwiftPM links an executable to (`main` is defined as `FuzzEdgeRequest_main`); libFuzzer
/// brings its own `main` too, and the package links with `--allow-multiple-definition`:
/// whichever wins, it runs libFuzzer's driver on `fuzzOneInput`.
@_cdecl("FuzzEdgeRequest_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzOneInput)
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
