/**
 * `npm run admin:create -- --email <email>`
 *
 * Creates an admin account (or sets a new password for an existing one). The password
 * is read from standard input: typed at a hidden prompt on a terminal, or piped in by a
 * script (`printf '%s\n' "$PASSWORD" | npm run admin:create -- --email a@b.c`). Passwords
 * under 12 characters are refused. Uses DATABASE_PATH like the server.
 */
import readline from 'node:readline'
import { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import { AccountError, createAdmin } from '../app/auth/login.server.ts'
import { closeDb } from '../app/db/connection.server.ts'
import { errorMessage } from '../app/utils/error-message.ts'

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let input = ''
    for await (const chunk of process.stdin) input += chunk
    return input.split(/\r?\n/)[0]
  }
  // A terminal: prompt, and echo nothing while the password is typed.
  let muted = false
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stdout.write(chunk)
      done()
    },
  })
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true })
  const ask = (question: string) =>
    new Promise<string>((resolve) => {
      muted = false
      process.stdout.write(question)
      muted = true
      rl.question('', (answer) => {
        process.stdout.write('\n')
        resolve(answer)
      })
    })
  const first = await ask('Password (12 characters or more): ')
  const second = await ask('Again: ')
  rl.close()
  if (first !== second) throw new AccountError('the two passwords differ')
  return first
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { email: { type: 'string' } } })
  if (!values.email) {
    console.error('usage: npm run admin:create -- --email <email>   (the password is read from standard input)')
    return 2
  }
  try {
    const password = await readPassword()
    const outcome = await createAdmin(values.email, password)
    console.log(`admin ${values.email.trim().toLowerCase()} ${outcome}`)
    return 0
  } catch (error) {
    if (error instanceof AccountError) {
      console.error(`admin:create: ${error.message}`)
      return 1
    }
    throw error
  } finally {
    closeDb()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`admin:create failed: ${errorMessage(error)}`)
    process.exit(1)
  },
)
