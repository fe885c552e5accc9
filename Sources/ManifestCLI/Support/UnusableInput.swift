import ManifestBuilder

/// Input a command cannot work with: a file it cannot read or parse, a missing key, a catalog
/// without a bundle. `ManifestCommand.main` prints it as `error: <description>` and exits with
/// 2. The other exits: 1 when a workspace breaks a rule (`ExitCode(1)`), and argument-parser's
/// usage text with 64 for a bad argument (`ValidationError`).
struct UnusableInput: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    init(_ error: InputError) {
        self.description = error.description
    }
}
