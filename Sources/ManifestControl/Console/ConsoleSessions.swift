import Foundation
import Synchronization

/// A signed-in operator: the workspace token they signed in with, and the token their forms
/// must carry back (CSRF).
struct ConsoleSession: Sendable {
    var id: String
    var tokenID: String
    var workspace: String
    var csrf: String
    var expires: Date
    /// What the last change did, shown once on the next page.
    var notice: String?

    /// Whether `form` came from one of this session's pages: it carries the session's CSRF token.
    func accepts(_ form: FormBody) -> Bool {
        form["csrf"].map { ConstantTime.equal(Array($0.utf8), Array(csrf.utf8)) } ?? false
    }
}

/// The console's sessions, in memory: a workspace token is exchanged for a random session id
/// kept in a cookie, so the token itself never travels again.
///
/// A `Mutex` around a dictionary: every console request makes one short lookup, and no work is
/// done while the lock is held. Sessions end at sign-out, after `lifetime`, or when the control
/// plane restarts (operators sign in again; nothing else is lost).
final class ConsoleSessions: Sendable {
    static let cookieName = "manifest_console"
    let lifetime: Duration
    private let sessions = Mutex<[String: ConsoleSession]>([:])

    init(lifetime: Duration = .seconds(12 * 3600)) {
        self.lifetime = lifetime
    }

    /// A new session for a token of `workspace`.
    func open(tokenID: String, workspace: String, now: Date) -> ConsoleSession {
        let session = ConsoleSession(
            id: Self.random(), tokenID: tokenID, workspace: workspace, csrf: Self.random(),
            expires: now.addingTimeInterval(TimeInterval(lifetime.components.seconds)))
        sessions.withLock { sessions in
            sessions = sessions.filter { $0.value.expires > now }
            sessions[session.id] = session
        }
        return session
    }

    /// The live session with this id, if any.
    func session(id: String, now: Date) -> ConsoleSession? {
        sessions.withLock { sessions in
            guard let session = sessions[id] else { return nil }
            guard session.expires > now else {
                sessions[id] = nil
                return nil
            }
            return session
        }
    }

    /// Keeps `notice` for the next page this session sees.
    func setNotice(_ notice: String, id: String) {
        sessions.withLock { $0[id]?.notice = notice }
    }

    /// The pending notice, removed.
    func takeNotice(id: String) -> String? {
        sessions.withLock { sessions in
            defer { sessions[id]?.notice = nil }
            return sessions[id]?.notice
        }
    }

    func close(id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// 32 random bytes, hex: unguessable ids and CSRF tokens.
    private static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }
            .joined()
    }
}
