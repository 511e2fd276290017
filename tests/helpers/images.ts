/**
 * Real image files for the image tests, made by sharp: one per format Kiln takes, a huge
 * one (over the 50-megapixel limit), a corrupt one (a PNG cut short) and a file that is
 * not an image though its name says so.
 */
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'

/** The intrinsic sizes of the files imagesFor() writes. */
export const IMAGE_SIZES = {
  'diagram.png': [1600, 900],
  'photo.jpg': [1200, 800],
  'shot.webp': [800, 600],
  'pic.avif': [640, 480],
  'anim.gif': [300, 200],
  'still.gif': [400, 300],
  'logo.svg': [240, 120],
} as const

function colour(width: number, height: number, hue: number) {
  return sharp({ create: { width, height, channels: 3, background: { r: hue, g: 120, b: 255 - hue } } })
}

/** Writes every fixture image into `dir`; returns the names written. */
export async function writeImages(dir: string, { huge = false } = {}): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true })
  const at = (name: string) => path.join(dir, name)
  await colour(1600, 900, 10).png().toFile(at('diagram.png'))
  await colour(1200, 800, 60).jpeg().toFile(at('photo.jpg'))
  await colour(800, 600, 110).webp().toFile(at('shot.webp'))
  await colour(640, 480, 160).avif({ effort: 0 }).toFile(at('pic.avif'))
  await colour(400, 300, 200).gif().toFile(at('still.gif'))
  // Two frames: an animation, served as it is.
  const frame = await colour(300, 200, 30).raw().toBuffer()
  const frame2 = await colour(300, 200, 230).raw().toBuffer()
  await sharp(Buffer.concat([frame, frame2]), { raw: { width: 300, height: 400, channels: 3, pageHeight: 200 } })
    .gif({ delay: [100, 100] })
    .toFile(at('anim.gif'))
  fs.writeFileSync(
    at('logo.svg'),
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120">' +
      '<rect width="240" height="120" fill="#3b82f6"/><script>alert(1)</script></svg>',
  )
  const png = fs.readFileSync(at('diagram.png'))
  fs.writeFileSync(at('corrupt.png'), png.subarray(0, Math.floor(png.length / 2)))
  fs.writeFileSync(at('not-an-image.png'), 'This is a text file wearing a .png name.\n')
  fs.writeFileSync(at('notes.pdf.png'), '%PDF-1.4 not an image\n')
  await colour(100, 100, 5).tiff().toFile(at('scan.tiff'))
  if (huge) await colour(8000, 7000, 90).png({ compressionLevel: 1 }).toFile(at('huge.png'))
  return fs.readdirSync(dir)
}
