/// What every signed-in page shows around its content: the title, the workspace, the
/// navigation (with the current section marked) and the sign-out form with its CSRF token.
struct Layout {
    var title: String
    var workspace: String
    var actor: String
    var csrf: String
    var canWrite: Bool
    var section: Section
    /// A line saying what the last change did ("Saved; version 7 published."), shown once.
    var notice: String?

    enum Section { case sources, catalog }

    var sourcesCurrent: Bool
    var catalogCurrent: Bool
    /// The address of the workspace's pages.
    var base: String

    /// The address of a workspace's console pages.
    static func base(_ workspace: String) -> String { "/console/w/" + workspace.urlPathEscaped }

    /// The address of a source's page; its other pages are under it.
    static func source(_ workspace: String, _ source: String) -> String {
        base(workspace) + "/sources/" + source.urlPathEscaped
    }

    init(_ title: String, _ user: ConsoleUser, section: Section, notice: String? = nil) {
        self.title = title
        self.workspace = user.workspace
        self.actor = user.actor
        self.csrf = user.session.csrf
        self.canWrite = user.scope.allows(.write)
        self.section = section
        self.notice = notice
        self.sourcesCurrent = section == .sources
        self.catalogCurrent = section == .catalog
        self.base = Self.base(user.workspace)
    }
}
