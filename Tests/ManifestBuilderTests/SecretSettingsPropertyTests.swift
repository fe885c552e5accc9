import TestSupport
import Testing

@testable import ManifestBuilder

@Suite("Property: secret settings never reach a manifest")
struct SecretSettingsPropertyTests {
    /// A random workspace built from the test catalog; instances that would break a rule are
    /// dropped, so the result is valid and has every shape: device and cloud, classic and
    /// Actions, web, mobile and project sources.
    static func randomWorkspace(_ rng: inout SplitMix64) -> (Workspace, secrets: [String], publics: [String]) {
        let rules = TestCatalog.rules
        var ws = Workspace(id: "ws", name: "Random", sources: [])
        var secrets: [String] = []
        var publics: [String] = []
        for sourceIndex in 0..<Int.random(in: 1...4, using: &rng) {
            let kind = SourceKind.allCases.randomElement(using: &rng)!
            ws.sources.append(
                Source(id: "s\(sourceIndex)", name: "S\(sourceIndex)", kind: kind, writeKey: "wk\(sourceIndex)"))
            for instanceIndex in 0..<Int.random(in: 1...8, using: &rng) {
                let destination = TestCatalog.catalog.destinations.randomElement(using: &rng)!
                let mode = destination.modes.randomElement(using: &rng)!
                let secret = "SECRET-\(rng.next())"
                let publicValue = "public-\(rng.next())"
                let enabled = rng.next() % 5 != 0
                let candidate = DestinationInstance(
                    id: "s\(sourceIndex)-i\(instanceIndex)", name: "I\(sourceIndex)-\(instanceIndex)",
                    destination: destination.name, mode: mode, enabled: enabled,
                    settings: ["apiKey": .string(publicValue), "secretKey": .string(secret)])
                var attempt = ws
                attempt.sources[sourceIndex].instances.append(candidate)
                guard rules.validate(attempt).isValid else { continue }
                ws = attempt
                secrets.append(secret)
                if enabled && mode == .device && kind != .server { publics.append(publicValue) }
            }
        }
        return (ws, secrets, publics)
    }

    @Test("200 random valid workspaces: no secret value anywhere in any manifest", arguments: [1, 2, 3, 4])
    func noSecrets(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        var publicValuesSeen = 0
        for _ in 0..<50 {
            let (ws, secrets, publics) = Self.randomWorkspace(&rng)
            let key = SigningKey()
            var served = ""
            for source in ws.sources {
                guard let compiled = TestCatalog.compiler.compile(source, in: ws) else { continue }
                let signed = compiled.signed(version: 1, publishedAt: .now, validity: 3600, key: key)
                served += String(decoding: signed.body, as: UTF8.self)
            }
            for secret in secrets {
                #expect(!served.contains(secret), "seed \(seed): a secret reached a manifest")
            }
            // The check is not vacuous: device-mode instances' public settings do get through.
            for value in publics where served.contains(value) { publicValuesSeen += 1 }
            #expect(publics.allSatisfy { served.contains($0) })
        }
        #expect(publicValuesSeen > 0)
    }
}
