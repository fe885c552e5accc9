import Foundation
import HTTPTypes
import Hummingbird
import ManifestBuilder
import ManifestHTTP

/// The origin: serves published manifests, SDK bundles and the signing key from an
/// `OriginStore`, with the validators and cache directives the edges and browsers rely on.
///
/// Routes (GET, and HEAD; OPTIONS answers CORS preflights; any other method gets 405):
/// - `/v1/projects/{writeKey}/settings`: the latest version, what Analytics.js fetches on every page load;
/// - `/v1/projects/{writeKey}/settings/v/{version}`: one version, immutable;
/// - `/next-integrations/**`: SDK bundles, immutable;
/// - `/v1/events?after={sequence}&wait={seconds}&edge={name}`: the invalidation stream (see `events`);
/// - `/v1/subscribers`: the edges following that stream and what each has applied;
/// - `/.well-known/manifest-signing-key`: the public key that checks `Manifest-Signature`;
/// - `/healthz`.
///
/// Every response carries `Access-Control-Allow-Origin: *`, since browsers fetch the settings
/// cross-origin. Errors are JSON; a failing store is a 503, never a 500.
public struct OriginController: Sendable {
    public let store: any OriginStore
    public let publicKey: PublicSigningKey
    /// The workspace this origin serves, when it serves one: added as `workspace:{id}` to the
    /// `Surrogate-Key` of negative answers, so that purging the workspace clears them too.
    public let workspaceID: String?
    public let policy: OriginCachePolicy
    public let subscribers: SubscriberRegistry
    /// Wakes waiting long polls when the log grows: one check for all of them.
    public let watcher: PublishWatcher

    /// - Parameter watcher: shared when several controllers serve one store (default: its own).
    public init(
        store: any OriginStore, publicKey: PublicSigningKey, workspaceID: String? = nil,
        policy: OriginCachePolicy = .init(), subscribers: SubscriberRegistry = SubscriberRegistry(),
        watcher: PublishWatcher? = nil
    ) {
        self.subscribers = subscribers
        self.watcher = watcher ?? PublishWatcher(store: store)
        self.store = store
        self.publicKey = publicKey
        self.workspaceID = workspaceID
        self.policy = policy
    }

    /// The routes, for `Application(router:)` or tests.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        // Added first, so it also wraps the router's not-found responder.
        router.add(middleware: ResponseEnvelope(server: self))
        router.get("/v1/projects/:writeKey/settings") { request, context in
            await settings(request, context, pinned: false)
        }
        router.get("/v1/projects/:writeKey/settings/v/:version") { request, context in
            await settings(request, context, pinned: true)
        }
        router.get("/next-integrations/**") { request, context in
            await bundle(request, context)
        }
        router.get("/v1/events") { request, context in
            await events(request, context)
        }
        router.get("/v1/subscribers") { _, _ in subscriberList() }
        router.get("/.well-known/manifest-signing-key") { _, _ in
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            fields[.cacheControl] = "public, max-age=300"
            return Response(
                status: .ok, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: publicKey.fileContents())))
        }
        router.get("/healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
        return router
    }

    /// The latest settings, or with `pinned` the version the path names.
    private func settings(_ request: Request, _ context: BasicRequestContext, pinned: Bool) async -> Response {
        guard let writeKey = Self.writeKey(context.parameters.get("writeKey")) else {
            return errorResponse(
                .badRequest, "A write key is 1 to 128 letters, digits, '_' or '-'.",
                writeKey: context.parameters.get("writeKey").map { String($0.prefix(128)) })
        }
        var version: Int?
        if pinned {
            version = Self.version(context.parameters.get("version"))
            guard version != nil else {
                return errorResponse(.badRequest, "A version is a positive integer, such as /v/3.", writeKey: writeKey)
            }
        }
        let manifest: SignedManifest?
        do {
            if let version {
                manifest = try await store.manifest(writeKey: writeKey, version: version)
            } else {
                manifest = try await store.latest(writeKey: writeKey)
            }
        } catch {
            return storeFailure(error, context)
        }
        guard let manifest else {
            let message =
                if let version {
                    "Version \(version) of write key '\(writeKey)' was never published."
                } else {
                    "No manifest is published for write key '\(writeKey)'."
                }
            return errorResponse(
                .notFound, message, writeKey: writeKey, version: version,
                surrogateKeys: ["writekey:\(writeKey)"])
        }
        return Self.conditional(request, headers: manifestFields(manifest, pinned: pinned), body: manifest.body)
    }

    private func bundle(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let rawPath = request.uri.path
        let path = rawPath.removingPercentEncoding ?? rawPath
        let artifact: BundleArtifact?
        do {
            artifact = try await store.bundle(path: path)
        } catch {
            return storeFailure(error, context)
        }
        guard let artifact else {
            return errorResponse(
                .notFound, "No SDK bundle is published at \(path).", path: path, surrogateKeys: ["bundle"])
        }
        var fields = HTTPFields()
        fields[.contentType] = BundleArtifact.contentType
        fields[.eTag] = "\"\(artifact.integrity)\""
        fields[.cacheControl] = Self.immutableCacheControl
        fields[.cdnCacheControl] = Self.immutableCDNCacheControl
        fields[.surrogateKey] = "bundle destination:\(artifact.destinationID)"
        return Self.conditional(request, headers: fields, body: artifact.bytes)
    }

    private func manifestFields(_ manifest: SignedManifest, pinned: Bool) -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        fields[.eTag] = Self.eTag(for: manifest)
        fields[.lastModified] = HTTPDate.format(manifest.publishedAt)
        fields[.manifestSignature] = manifest.signatureHeaderValue
        fields[.manifestVersion] = String(manifest.version)
        if pinned {
            fields[.cacheControl] = Self.immutableCacheControl
            fields[.cdnCacheControl] = Self.immutableCDNCacheControl
        } else {
            fields[.cacheControl] = "public, max-age=\(Self.seconds(policy.browserMaxAge))"
            fields[.cdnCacheControl] =
                "max-age=\(Self.seconds(policy.edgeTTL)), "
                + "stale-while-revalidate=\(Self.seconds(policy.staleWhileRevalidate)), "
                + "stale-if-error=\(Self.seconds(policy.staleIfError))"
        }
        if !manifest.surrogateKeys.isEmpty {
            fields[.surrogateKey] = manifest.surrogateKeys.joined(separator: " ")
        }
        return fields
    }

    /// A JSON error with short negative caching (for 400 and 404), and the given purge handles.
    func errorResponse(
        _ status: HTTPResponse.Status, _ message: String, writeKey: String? = nil, version: Int? = nil,
        path: String? = nil, surrogateKeys: [String] = []
    ) -> Response {
        var response = Self.jsonError(status, message, writeKey: writeKey, version: version, path: path)
        let ttl = Self.seconds(policy.negativeTTL)
        response.headers[.cacheControl] = "public, max-age=\(ttl)"
        response.headers[.cdnCacheControl] = "max-age=\(ttl)"
        let keys = surrogateKeys + negativeSurrogateKeys()
        if !keys.isEmpty { response.headers[.surrogateKey] = keys.joined(separator: " ") }
        return response
    }

    private func negativeSurrogateKeys() -> [String] {
        workspaceID.map { ["workspace:\($0)"] } ?? []
    }

    func storeFailure(_ error: any Error, _ context: BasicRequestContext) -> Response {
        context.logger.info("origin store failed; answered 503", metadata: ["error": "\(error)"])
        return Self.unavailable()
    }
}
