import ArgumentParser
import CLuaShim
import Foundation

/// Exit codes of cli.md: 0 success, 1 script error, 2 usage or configuration
/// error, 3 lock held, 124 --timeout, 130 SIGINT. swift-argument-parser
/// would use 64 for usage errors, so its errors are mapped here.
lunet_resetsignalmask()
setlocale(LC_CTYPE, "")  // UTF-8 in libedit; LC_NUMERIC stays "C" for Lua
do {
    var command = try Lunet.parseAsRoot()
    try command.run()
} catch let code as ExitCode {
    exit(code.rawValue)
} catch {
    let code = Lunet.exitCode(for: error)
    if code == .success {
        print(Lunet.fullMessage(for: error))
        exit(0)
    }
    FileHandle.standardError.write(Data((Lunet.fullMessage(for: error) + "\n").utf8))
    exit(ExitStatus.usage)
}
