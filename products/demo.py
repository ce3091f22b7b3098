"""Demo products for a first run; loading them again resets them (keyed by SKU)."""

from decimal import Decimal

from products.models import Product

# (sku, name, price, stock, description); prices are decimal strings, never floats.
DEMO_PRODUCTS = [
    ("KB-MECH-87", "Tenkeyless Mechanical Keyboard", "89.00", 42, "87 keys, hot-swappable brown switches, USB-C."),
    ("KB-LOW-104", "Low-Profile Wireless Keyboard", "59.90", 65, "Full size, scissor switches, three Bluetooth slots."),
    ("MS-ERGO-V", "Vertical Ergonomic Mouse", "39.50", 80, "57-degree grip, silent clicks, 2.4 GHz receiver."),
    ("MS-TRAVEL", "Travel Mouse", "19.99", 150, "Compact, Bluetooth, runs a year on one AA battery."),
    ("MON-27-4K", '27" 4K IPS Monitor', "329.00", 12, "3840x2160, 60 Hz, USB-C with 65 W power delivery."),
    ("MON-24-FHD", '24" Full HD Monitor', "129.99", 30, "1920x1080, 75 Hz, VESA mount, thin bezels."),
    ("MON-ARM-1", "Single Monitor Arm", "49.00", 25, "Gas spring, holds 2-9 kg, clamp or grommet mount."),
    ("HS-ANC-700", "Noise-Cancelling Headphones", "249.00", 18, "Over-ear, 30 h battery, multipoint Bluetooth."),
    ("HS-USB-MONO", "USB Office Headset", "34.95", 90, "Single ear, noise-cancelling boom microphone."),
    ("CAM-1080P", "1080p Webcam", "54.00", 40, "Autofocus, stereo microphones, privacy shutter."),
    ("CAM-4K-PRO", "4K Streaming Webcam", "179.00", 0, "HDR, auto framing, tripod thread. Back in stock soon."),
    ("DOCK-USBC-11", "USB-C Dock, 11 Ports", "119.00", 22, "Two HDMI, Ethernet, SD reader, 100 W pass-through."),
    ("HUB-USB3-4", "4-Port USB 3 Hub", "14.99", 200, "Aluminium, 5 Gbit/s, 60 cm cable."),
    ("CBL-USBC-2M", "USB-C Cable 2 m", "9.99", 500, "USB 3.2, 100 W, braided."),
    ("CBL-HDMI-21", "HDMI 2.1 Cable 1.5 m", "12.50", 320, "48 Gbit/s, 4K at 120 Hz."),
    ("SSD-NVME-1TB", "1 TB NVMe SSD", "74.90", 60, "PCIe 4.0, up to 7,000 MB/s read."),
    ("SSD-EXT-2TB", "2 TB Portable SSD", "139.00", 35, "USB-C, 1,050 MB/s, drop resistant."),
    ("HDD-NAS-8TB", "8 TB NAS Hard Drive", "189.00", 14, "7200 rpm, CMR, 3-year warranty."),
    ("RAM-DDR5-32", "32 GB DDR5 Kit (2x16)", "99.00", 28, "5600 MT/s, CL36."),
    ("PSU-650-GOLD", "650 W Power Supply", "84.00", 16, "80 Plus Gold, fully modular."),
    ("CHAIR-MESH", "Mesh Office Chair", "279.00", 8, "Adjustable lumbar support and 4D armrests."),
    ("DESK-SIT-140", "Sit-Stand Desk 140x70", "399.00", 5, "Dual motor, four memory presets."),
    ("LAMP-LED-BAR", "Monitor Light Bar", "45.00", 70, "Asymmetric beam, no screen glare, USB powered."),
    ("MAT-DESK-XL", "XL Desk Mat", "24.90", 110, "90x40 cm, stitched edges, water resistant."),
    ("STAND-LAPTOP", "Aluminium Laptop Stand", "29.99", 85, "Six heights, folds flat."),
    ("PAD-GEL-WRIST", "Gel Wrist Rest", "15.00", 0, "Memory foam, non-slip base."),
    ("SPK-DESK-2", "Desktop Speakers", "69.00", 20, "2 x 15 W, Bluetooth and optical input."),
    ("MIC-USB-CARD", "USB Cardioid Microphone", "89.90", 15, "24-bit/48 kHz, zero-latency monitoring."),
    ("ROUTER-AX3000", "Wi-Fi 6 Router AX3000", "109.00", 19, "Dual band, four gigabit ports, WPA3."),
    ("SW-GB-8", "8-Port Gigabit Switch", "24.99", 45, "Unmanaged, metal case, fanless."),
    ("UPS-850VA", "850 VA UPS", "119.90", 7, "Line interactive, six outlets, USB monitoring."),
    ("PEN-STYLUS", "Active Stylus", "39.00", 0, "Tilt and pressure sensitive. Discontinued."),
    ("GIFT-CARD-25", "Gift Card 25", "25.00", 1000, "Delivered by email, never expires."),
    ("STICKER-PACK", "Sticker Pack", "0.00", 300, "Free with any order."),
]
# Retired from the catalogue: admins still see them, everyone else gets a 404.
INACTIVE_SKUS = {"PEN-STYLUS"}


def demo_products_load() -> int:
    """Create or reset the demo products; return how many there are."""
    for sku, name, price, stock, description in DEMO_PRODUCTS:
        Product.objects.update_or_create(
            sku=sku,
            defaults={
                "name": name,
                "price": Decimal(price),
                "stock": stock,
                "description": description,
                "is_active": sku not in INACTIVE_SKUS,
            },
        )
    return len(DEMO_PRODUCTS)
