/// Why a simulation could not run.
public enum SimulationError: Error, CustomStringConvertible {
    case unknownSource(String)

    public var description: String {
        switch self {
        case .unknownSource(let id): "the workspace has no source '\(id)'"
        }
    }
}
