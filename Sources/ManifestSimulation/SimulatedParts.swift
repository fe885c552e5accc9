import Foundation
import ManifestBuilder
import ManifestEdge
import ManifestHTTP

/// The parts of one simulation run, wired together: a counted origin, an optional shield
/// edge, the edges, and the clients, all on one virtual clock.
struct SimulatedParts {
    let clock: ManualClock
    /// When the run starts (virtual time).
    let start: Date
    let publisher: Publisher
    /// The write key of the source whose page the clients load.
    let writeKey: String
    let origin: CountingUpstream
    let shield: EdgeCache?
    let edges: [EdgeCache]
    let clients: [AnalyticsClient]
}
